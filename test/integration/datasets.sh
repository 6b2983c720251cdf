#!/usr/bin/env bash
# The reference datasets (spec section 9, datasets/README.md):
#  1. datasets/generate.py reproduces every committed file byte for byte (into a fresh directory), and
#     `sha256sum -c SHA256SUMS` passes over exactly the committed version files.
#  2. Every line of every file is a sample in the documented format; sample counts and contents per spec section 9.
#  3. In the database: costsim.dataset_versions' shipped rows are the files (path, SHA-256, line count), the
#     extension's V1 gives every sample its expected cost and feasibility, and V2 model 2.0.0 meets every sample's
#     feasibility and confidence expectation (so the golden datasets are acceptable for the shipped candidate).
# Runs against the test cluster (PG* variables), read-only (temporary tables only). Needs python3 and sha256sum.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-datasets.XXXXXX") || exit 1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DATASETS=$ROOT/datasets
psql_q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# Spec section 9: the datasets and their sample counts.
declare -A COUNT=([low_variance]=30 [high_variance]=16 [mixed_city]=25 [noise_injected]=8 [historical]=20)
IDS=(low_variance high_variance mixed_city noise_injected historical)
FILES=$(cd "$DATASETS" && ls -1 -- */*.jsonl 2>/dev/null | LC_ALL=C sort)

#############################################################################################################
# 1. Reproducible, hashed
#############################################################################################################
check "datasets/generate.py runs (into a fresh directory)" \
  python3 -B "$DATASETS/generate.py" --out "$TMP/gen"
same_tree() {  # the generated tree and the committed one hold the same files (version files and SHA256SUMS)
  equals "$(cd "$TMP/gen" && find . -type f | LC_ALL=C sort)" \
         "$(cd "$DATASETS" && find . -type f \( -name '*.jsonl' -o -name SHA256SUMS \) | LC_ALL=C sort)"
}
check "the generator writes exactly the committed version files and SHA256SUMS" same_tree
for f in $FILES SHA256SUMS; do
  check "the generator reproduces $f byte for byte" cmp "$TMP/gen/$f" "$DATASETS/$f"
done
check "a second run writes the same bytes again" \
  bash -c 'python3 -B "$1/generate.py" --out "$2/again" >/dev/null && diff -r "$2/gen" "$2/again"' _ "$DATASETS" "$TMP"
check "sha256sum -c SHA256SUMS passes" bash -c 'cd "$1" && sha256sum --strict -c SHA256SUMS' _ "$DATASETS"
check "SHA256SUMS lists exactly the committed version files, sorted by path" \
  equals "$FILES" "$(awk '{ print $2 }' "$DATASETS/SHA256SUMS")"
check "the five datasets each have a version 1.0.0" \
  equals "$(printf '%s/1.0.0.jsonl\n' "${IDS[@]}" | LC_ALL=C sort)" "$(grep '/1\.0\.0\.jsonl$' <<<"$FILES")"

#############################################################################################################
# 2. Format and contents
#############################################################################################################
# The line format of datasets/README.md, checked by an independent reader of each file.
cat >"$TMP/format.py" <<'EOF'
import json, re, sys

path = sys.argv[1]
dataset = path.split("/")[-2]
KEYS = ["id", "plan", "budget_cents", "allowed_skills", "expected_cost_cents", "expected_feasible",
        "expected_confidence_min", "tags"]
errors = []
def bad(n, what):
    errors.append(f"{path} line {n}: {what}")
def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)
def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

data = open(path, "rb").read()
if not data or not data.endswith(b"\n"):
    errors.append(f"{path}: empty or the last line does not end with a newline")
if b"$costsim_dataset$" in data or b"costsim_dataset$" in data:
    errors.append(f"{path}: contains the quote tag $costsim_dataset$")
if not data.isascii():
    errors.append(f"{path}: not ASCII")
ids = set()
for n, raw in enumerate(data.split(b"\n")[:-1], 1):
    text = raw.decode("utf-8")
    if not text.strip():
        bad(n, "blank line"); continue
    try:
        obj = json.loads(text)
    except ValueError as e:
        bad(n, f"not JSON: {e}"); continue
    if not isinstance(obj, dict):
        bad(n, "not an object"); continue
    if json.dumps(obj, ensure_ascii=False, separators=(",", ":")) != text:
        bad(n, "not compact JSON")
    expected_keys = [k for k in KEYS if k != "allowed_skills" or k in obj]
    if list(obj) != expected_keys:
        bad(n, f"keys {list(obj)}, expected {expected_keys}"); continue
    if not isinstance(obj["id"], str) or not re.fullmatch(r"[a-z]{2}-[0-9]{3}", obj["id"]):
        bad(n, f"id {obj['id']!r}")
    elif obj["id"] in ids:
        bad(n, f"duplicate id {obj['id']}")
    ids.add(obj["id"])
    if not isinstance(obj["plan"], list):
        bad(n, "plan is not an array")
    else:
        for i, step in enumerate(obj["plan"]):
            keys = list(step) if isinstance(step, dict) else None
            # noise_injected leaves out params and iterations on purpose (spec section 1 defaults apply)
            allowed = [["skill", "params", "iterations"]] + (
                [["skill"], ["skill", "params"], ["skill", "iterations"]] if dataset == "noise_injected" else [])
            if keys not in allowed:
                bad(n, f"step {i}: keys {keys}"); continue
            if not isinstance(step["skill"], str) or not step["skill"]:
                bad(n, f"step {i}: skill")
            if "params" in step and not isinstance(step["params"], dict):
                bad(n, f"step {i}: params is not an object")
            if "iterations" in step and not (is_int(step["iterations"]) and 1 <= step["iterations"] <= 100):
                bad(n, f"step {i}: iterations {step['iterations']!r}")
    if not (is_int(obj["budget_cents"]) and obj["budget_cents"] >= 0):
        bad(n, f"budget_cents {obj['budget_cents']!r}")
    if "allowed_skills" in obj and not (isinstance(obj["allowed_skills"], list)
                                        and all(isinstance(s, str) for s in obj["allowed_skills"])):
        bad(n, "allowed_skills is not an array of strings")
    if not (is_num(obj["expected_cost_cents"]) and obj["expected_cost_cents"] >= 0):
        bad(n, f"expected_cost_cents {obj['expected_cost_cents']!r}")
    if not isinstance(obj["expected_feasible"], bool):
        bad(n, "expected_feasible is not a boolean")
    if not (is_num(obj["expected_confidence_min"]) and 0 <= obj["expected_confidence_min"] <= 1):
        bad(n, f"expected_confidence_min {obj['expected_confidence_min']!r}")
    if not (isinstance(obj["tags"], list) and obj["tags"] and all(isinstance(t, str) for t in obj["tags"])):
        bad(n, "tags is not a non-empty array of strings")
print("\n".join(errors[:30]))
sys.exit(1 if errors else 0)
EOF
for f in $FILES; do
  check "every line of $f is a sample in the documented format" python3 -B "$TMP/format.py" "$DATASETS/$f"
done
for id in "${IDS[@]}"; do
  check "$id/1.0.0.jsonl has ${COUNT[$id]} samples (spec section 9)" \
    equals "${COUNT[$id]}" "$(wc -l <"$DATASETS/$id/1.0.0.jsonl" | tr -d ' ')"
done

# What spec section 9 says each dataset holds. query FILE EXPRESSION: EXPRESSION over `s`, the list of samples.
query() {
  python3 -B -c 'import collections, json, sys
s = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
print(eval(sys.argv[2]))' "$DATASETS/$1" "$2"
}
check "low_variance: 10 http_call (distinct URLs, local and external), 10 json_transform, 5 kv_get, 5 kv_set" \
  equals "http_call:10 json_transform:10 kv_get:5 kv_set:5; 10 distinct URLs; local and external: True" \
  "$(query low_variance/1.0.0.jsonl '" ".join(f"{k}:{v}" for k, v in sorted(collections.Counter(
      x["plan"][0]["skill"] for x in s if len(x["plan"]) == 1).items())) + "; %d distinct URLs; local and external: %s" % (
      len({x["plan"][0]["params"]["url"] for x in s if x["plan"][0]["skill"] == "http_call"}),
      {x["plan"][0]["params"]["url"].startswith("http://localhost") for x in s if x["plan"][0]["skill"] == "http_call"}
      == {True, False})')"
check "low_variance: budget 100, expected cost 0, feasible, for every sample" \
  equals "{(100, 0, True)}" "$(query low_variance/1.0.0.jsonl '{(x["budget_cents"], x["expected_cost_cents"], x["expected_feasible"]) for x in s}')"
check "high_variance: llm_invoke prompts of exactly 100, 500, 1000, 2000, 4000, 8000 characters at budget 50" \
  equals "[(100, 50), (500, 50), (1000, 50), (2000, 50), (4000, 50), (8000, 50)]" \
  "$(query high_variance/1.0.0.jsonl '[(len(x["plan"][0]["params"]["prompt"]), x["budget_cents"]) for x in s
      if len(x["plan"]) == 1 and x["plan"][0]["skill"] == "llm_invoke"]')"
check "high_variance: 5 workflows of 3-7 steps (iterations 1-5) at budget 200" \
  equals "5 True" "$(query high_variance/1.0.0.jsonl '" ".join(map(str, (len(w := [x for x in s if len(x["plan"]) > 1]),
      all(3 <= len(x["plan"]) <= 7 and x["budget_cents"] == 200 and all(1 <= p["iterations"] <= 5 for p in x["plan"])
          for x in w))))')"
check "high_variance: 5 external http_call with integer timeouts of 10-60 s at budget 100" \
  equals "5 True" "$(query high_variance/1.0.0.jsonl '" ".join(map(str, (len(h := [x for x in s if len(x["plan"]) == 1
      and x["plan"][0]["skill"] == "http_call"]), all(x["budget_cents"] == 100 and not x["plan"][0]["params"]["url"].startswith(
      ("http://localhost", "http://127.0.0.1")) and type(x["plan"][0]["params"]["timeout"]) is int
      and 10 <= x["plan"][0]["params"]["timeout"] <= 60 for x in h))))')"
check "mixed_city: plans of 2-8 steps, some infeasible, each tagged with its day part" \
  equals "True True True" "$(query mixed_city/1.0.0.jsonl '" ".join(map(str, (all(2 <= len(x["plan"]) <= 8 for x in s),
      0 < sum(not x["expected_feasible"] for x in s) < len(s),
      all(x["tags"][0] in ("morning_commute", "midday", "evening_rush", "night", "weekend") for x in s))))')"
check "noise_injected: the eight edge cases of spec section 9, one sample each" \
  equals "['duplicated_steps', 'empty_plan', 'fifty_steps', 'huge_prompt', 'missing_fields', 'tiny_budget', 'unknown_skill', 'zero_budget']" \
  "$(query noise_injected/1.0.0.jsonl 'sorted(t for x in s for t in x["tags"] if t != "edge_case")')"
check "noise_injected: the cases are what their tags say (empty, 50 steps, 100,000 characters, budgets 0 and 1)" \
  equals "0 50 100000 0 1" "$(query noise_injected/1.0.0.jsonl '" ".join(map(str, (
      len(next(x for x in s if "empty_plan" in x["tags"])["plan"]), len(next(x for x in s if "fifty_steps" in x["tags"])["plan"]),
      len(next(x for x in s if "huge_prompt" in x["tags"])["plan"][0]["params"]["prompt"]),
      next(x for x in s if "zero_budget" in x["tags"])["budget_cents"], next(x for x in s if "tiny_budget" in x["tags"])["budget_cents"])))')"
# Anonymized: every string under a plan is all 'x', except a step's skill and a local URL's prefix.
check "historical: every sample tagged anonymized, every content string made of 'x' (local URLs keep their prefix)" \
  equals "True" "$(query historical/1.0.0.jsonl 'all("anonymized" in x["tags"] for x in s) and all(
      (lambda walk: all(walk(walk, k, v) for st in x["plan"] for k, v in st.items() if k != "skill"))(
        lambda f, k, v: (set(v[len(next((p for p in ("http://localhost", "http://127.0.0.1") if k == "url" and v.startswith(p)), "")):]) <= {"x"})
          if isinstance(v, str) else all(f(f, kk, vv) for kk, vv in v.items()) if isinstance(v, dict)
          else all(f(f, None, vv) for vv in v) if isinstance(v, list) else True)
      for x in s)')"

#############################################################################################################
# 3. In the database
#############################################################################################################
# What the files say: path|sha256|lines
for f in $FILES; do
  printf '%s|%s|%s\n' "$f" "$(sha256sum "$DATASETS/$f" | cut -d' ' -f1)" "$(wc -l <"$DATASETS/$f" | tr -d ' ')"
done | LC_ALL=C sort >"$TMP/files.txt"
psql_q -c "SELECT dataset_id || '/' || version || '.jsonl', content_sha256, sample_count
             FROM costsim.dataset_versions WHERE origin = 'shipped'" >"$TMP/db.txt" 2>&1
db_rc=$?
check "costsim.dataset_versions (shipped): path, SHA-256 and sample count of every file, nothing else" \
  equals "$(cat "$TMP/files.txt")" "$(if [ "$db_rc" -eq 0 ]; then LC_ALL=C sort "$TMP/db.txt"; else cat "$TMP/db.txt"; fi)"

# Every sample through the extension's simulators, read from the files themselves (one line per row: CSV with a
# quote and a delimiter that compact JSON never holds raw).
{
  echo "CREATE TEMP TABLE dataset_lines (file text, line_number bigint GENERATED ALWAYS AS IDENTITY, line text);"
  for f in $FILES; do
    echo "\\copy dataset_lines (line) FROM '$DATASETS/$f' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    echo "UPDATE dataset_lines SET file = '$f' WHERE file IS NULL;"
  done
  cat <<'EOF'
CREATE TEMP TABLE dataset_runs AS
SELECT file, s->>'id' AS id, s,
       costsim.simulate_v1(s->'plan', (s->>'budget_cents')::integer,
                           ARRAY(SELECT jsonb_array_elements_text(s->'allowed_skills'))) AS v1,
       costsim.simulate_v2(s->'plan', (s->>'budget_cents')::integer,
                           ARRAY(SELECT jsonb_array_elements_text(s->'allowed_skills')), '2.0.0') AS v2
  FROM (SELECT file, line::jsonb AS s FROM dataset_lines) l;
\o __V1__
SELECT file || '|' || count(*) || '|' ||
       count(*) FILTER (WHERE (v1->>'estimated_cost_cents')::numeric <> (s->>'expected_cost_cents')::numeric
                           OR (v1->>'feasible')::boolean <> (s->>'expected_feasible')::boolean)
       || coalesce(' ' || string_agg(id || ': cost ' || (v1->>'estimated_cost_cents') || ' feasible ' || (v1->>'feasible'), ', ')
                   FILTER (WHERE (v1->>'estimated_cost_cents')::numeric <> (s->>'expected_cost_cents')::numeric
                              OR (v1->>'feasible')::boolean <> (s->>'expected_feasible')::boolean), '')
  FROM dataset_runs GROUP BY file ORDER BY file COLLATE "C";
\o __V2__
SELECT file || '|' || count(*) || '|' ||
       count(*) FILTER (WHERE (v2->>'feasible')::boolean <> (s->>'expected_feasible')::boolean
                           OR (v2->>'confidence_score')::float8 < (s->>'expected_confidence_min')::float8)
       || coalesce(' ' || string_agg(id || ': feasible ' || (v2->>'feasible') || ' confidence ' || (v2->>'confidence_score'), ', ')
                   FILTER (WHERE (v2->>'feasible')::boolean <> (s->>'expected_feasible')::boolean
                              OR (v2->>'confidence_score')::float8 < (s->>'expected_confidence_min')::float8), '')
  FROM dataset_runs GROUP BY file ORDER BY file COLLATE "C";
EOF
} | sed "s|__V1__|$TMP/v1.txt|; s|__V2__|$TMP/v2.txt|" >"$TMP/simulate.sql"
psql_q -f "$TMP/simulate.sql" >"$TMP/simulate.log" 2>&1
sim_rc=$?
expect_none=$(for f in $FILES; do echo "$f|$(wc -l <"$DATASETS/$f" | tr -d ' ')|0"; done)
result() { if [ "$sim_rc" -eq 0 ]; then cat "$1"; else cat "$TMP/simulate.log"; fi; }
check "the extension's V1 gives every sample its expected_cost_cents and expected_feasible (file|samples|mismatches)" \
  equals "$expect_none" "$(result "$TMP/v1.txt")"
check "V2 model 2.0.0 meets every sample's feasibility and confidence expectation (file|samples|misses)" \
  equals "$expect_none" "$(result "$TMP/v2.txt")"

finish
