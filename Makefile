# costsim — PGXS build of the extension, plus the project's own targets (unit tests, fuzzing, demo, tests).
PG_CONFIG ?= pg_config

EXTENSION   = costsim
EXT_VERSION = 0.4
MODULE_big  = costsim

CORE_SRCS = $(sort $(wildcard extension/core/*.cpp))
PG_SRCS   = $(sort $(wildcard extension/pg/*.cpp))
WORKER_SRCS = $(sort $(wildcard bgworker/*.cpp))
OBJS      = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o) $(WORKER_SRCS:.cpp=.o)

# The current version's install script is built from one SQL source per concern, in this order.
SQL_SOURCES = sql/src/schema.sql sql/src/coefficients.sql sql/src/simulation.sql sql/src/provenance.sql \
              sql/src/metrics.sql sql/src/statistics.sql sql/src/status_history.sql sql/src/breaker.sql \
              sql/src/grants.sql sql/src/datasets.sql build/sql/dataset_files.sql sql/src/canary.sql \
              sql/src/api.sql sql/src/row_type_privileges.sql sql/src/dumped_sequences.sql
# An upgrade script is built from the concerns a released version lacks. Released install scripts stay in sql/
# exactly as they shipped.
UPGRADE_0.3_0.4 = sql/src/datasets.sql build/sql/dataset_files.sql sql/src/canary.sql sql/src/api.sql \
                  sql/src/row_type_privileges.sql sql/src/dumped_sequences.sql
DATA        = sql/costsim--0.1.sql sql/costsim--0.2.sql sql/costsim--0.3.sql sql/costsim--0.1--0.2.sql \
              sql/costsim--0.2--0.3.sql
DATA_built  = build/sql/costsim--$(EXT_VERSION).sql build/sql/costsim--0.3--0.4.sql
# The reference datasets: every version file datasets/<id>/<version>.jsonl, oldest version first.
DATASET_FILES = $(shell ls datasets/*/*.jsonl 2>/dev/null | sort -V)
EXTRA_CLEAN = $(DATA_built) build/sql/dataset_files.sql $(OBJS:.o=.d) $(OBJS:.o=.gcno) $(OBJS:.o=.gcda)

# PostgreSQL headers as system headers: their unused parameters are not our warnings.
PG_CPPFLAGS = -I$(CURDIR)/extension -I$(CURDIR) -isystem $(shell $(PG_CONFIG) --includedir-server)
# -MMD -MP: each object records the headers it includes (extension/**/*.d), so a header change rebuilds them.
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register -MMD -MP
SHLIB_LINK += -lstdc++ -lssl -lcrypto -lcurl -lz

# COVERAGE=1: instrument the extension for gcov (the test command does this).
ifeq ($(COVERAGE),1)
PG_CXXFLAGS += --coverage -O0
SHLIB_LINK  += --coverage
endif

# The C++ is not JIT-inlinable; skip Debian's clang bitcode pass (it would also ignore PG_CXXFLAGS).
# Set before PGXS so that its own assignment cannot win.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Install and upgrade scripts end by asking PostgREST to re-read its schema cache.
build/sql/costsim--$(EXT_VERSION).sql: $(SQL_SOURCES)
	@mkdir -p $(@D)
	(cat $^; echo "NOTIFY pgrst, 'reload schema';") > $@

build/sql/costsim--0.3--0.4.sql: $(UPGRADE_0.3_0.4)
	@mkdir -p $(@D)
	(printf '%s\n' '\echo Use "ALTER EXTENSION costsim UPDATE" to load this file. \quit'; cat $^; \
	 echo "NOTIFY pgrst, 'reload schema';") > $@

# The datasets as SQL: each file's bytes in one dollar-quoted literal (no file is read at run time); loading a
# version that is already there does nothing, so every install and upgrade script can carry them all.
build/sql/dataset_files.sql: $(DATASET_FILES)
	@mkdir -p $(@D)
	(echo '-- Generated from datasets/ by the Makefile: every version of every reference dataset.'; \
	 for f in $^; do \
	   if grep -q 'costsim_dataset\$$' "$$f"; then echo "$$f contains the quote tag" >&2; exit 1; fi; \
	   id=$$(basename "$$(dirname "$$f")"); version=$$(basename "$$f" .jsonl); \
	   printf "SELECT costsim.load_dataset_version('%s', '%s', \$$costsim_dataset\$$" "$$id" "$$version"; \
	   cat "$$f"; printf '%s\n' '$$costsim_dataset$$);'; \
	 done) > $@

-include $(OBJS:.o=.d)

.PHONY: unit fuzz bench demo test
unit:
	$(MAKE) -C test/unit run
fuzz:
	$(MAKE) -C test/fuzz run
bench:
	test/bench/run.sh
demo:
	scripts/demo.sh
test:
	scripts/test.sh
