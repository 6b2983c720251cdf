// Command render is a test-only stand-in for `helm template` (helm is not packaged for Debian 12 and these
// machines have no internet), plus the checks the chart's tests run on what it renders.
//
// Build (offline, Debian's Go 1.19 and packaged libraries; no go.mod, GOPATH mode):
//
//	apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev   (scripts/install-deps.sh)
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o render ./test/helm/render
//
// (GOPATH mode resolves sprig's own `github.com/Masterminds/semver/v3` import through Go's minimal module
// compatibility, so the package is imported here as github.com/Masterminds/sprig, without /v3.)
//
// Usage:
//
//	render CHART_DIR [-f VALUES.yaml]... [--set K=V]... [--set-string K=V]... [--namespace NS] [--release NAME]
//	       [--api-versions GROUP/VERSION[/Kind]]...          render, like `helm template NAME CHART_DIR`
//	render --check CHART_DIR [render options]                  render, then validate (below); no stream printed
//	render --check [STREAM|-]                                  validate a rendered stream (file or stdin)
//	render --get SPEC                                          print the value SPEC selects (strings raw, else YAML)
//	render --yaml-equal SPEC SPEC                              compare two values structurally (exit 1 if different)
//	render --find-data FILE [STREAM|-]                         list ConfigMap/Secret data entries equal to FILE's bytes
//	render --json STREAM|-                                     print the stream's documents as one JSON array
//
// SPEC is FILE[@Kind[/name]][#PATH]: FILE is a YAML file or a multi-document stream ("-" = stdin); @Kind/name
// picks the one document of that kind (and name) — without it the file must hold exactly one document; PATH is
// dot-separated keys and list indexes, with [..] for a key holding dots: spec.groups, data[queries.yaml], a.b[0].c.
//
// What rendering supports (and how it follows helm 3):
//   - Chart.yaml (.Chart.Name, .Version, .AppVersion, .Description, .Type, .KubeVersion, .APIVersion, .Home,
//     .Icon, .Keywords, .Sources, .Annotations, .Deprecated, .Maintainers); values.yaml; templates/ (recursively).
//     Every file under templates/ is parsed (so `define`s in _*.tpl are shared); as in helm, every file whose name
//     does not start with "_" is rendered and printed (templates/*.yaml, ...; empty output prints nothing), except
//     NOTES.txt, which is rendered (its errors fail the render, as in helm) but not printed.
//   - Go text/template with missingkey=zero, "<no value>" removed from the output (as helm does), sprig's
//     TxtFuncMap minus env/expandenv (as helm removes them), and helm's own functions: include (with helm's
//     recursion limit of 1000), tpl, toYaml (and toYamlPretty: same output), fromYaml, fromYamlArray, toJson,
//     fromJson, fromJsonArray, required, fail (sprig), lookup (always an empty map: no cluster). toToml is absent.
//   - toYaml goes through JSON first, like helm's sigs.k8s.io/yaml (so map keys are sorted and whole numbers print
//     as integers), then gopkg.in/yaml.v3 with a 2-space indent; the trailing newline is trimmed, as helm does.
//     (helm's yaml.v2 writes lists under a key without indenting them; yaml.v3 indents them: same YAML.)
//     fromYaml/fromJson errors come back as {"Error": "..."}, and toYaml errors as "", as in helm.
//   - Values: values.yaml, deep-merged with each -f file in order, then --set/--set-string (helm's strvals syntax:
//     a.b=v, a=v1,b=v2, list={x,y}, a[0].b=v, \, and \. escapes; true/false/null/integers are typed, the rest
//     strings); a null value (in -f files or --set k=null) deletes the key, like helm. As in helm, numbers from
//     YAML files are float64 (`{{ .Values.n }}` of 1000000 prints 1e+06 in helm too), --set integers int64.
//   - .Release.Name (default "costsim"), .Namespace (default "default"), .Service ("Helm"), .IsInstall (true),
//     .IsUpgrade (false), .Revision (1); .Template.Name ("<chart>/templates/<file>") and .Template.BasePath.
//   - .Capabilities.APIVersions.Has: true for the built-in Kubernetes groups (v1, apps/v1, batch/v1, policy/v1,
//     networking.k8s.io/v1, rbac.authorization.k8s.io/v1, autoscaling/v2, ... see builtinAPIVersions) and for
//     monitoring.coreos.com/v1 (ServiceMonitor, PodMonitor, PrometheusRule), plus any --api-versions given;
//     "group/version/Kind" forms too. .Capabilities.KubeVersion (.Version v1.28.0, .Major, .Minor, .GitVersion)
//     and .Capabilities.HelmVersion.Version (v3.12.0) are fixed.
//   - .Files.Get, .GetBytes, .Lines, .Glob (gobwas-style: *, **, ?, [..], {a,b}), .AsConfig, .AsSecrets over every
//     chart file except Chart.yaml, values.yaml, values.schema.json, templates/ and charts/ (as helm's loader),
//     honouring simple .helmignore patterns. Symbolic links are FOLLOWED (files and directories, also ones that
//     point outside the chart, as helm's loader does), so a chart can link to ../../monitoring files.
//   - Output: `---`, `# Source: <chart>/templates/<file>` before every non-empty document (a template's output is
//     split on `---` lines as helm does), templates in path order (helm sorts by kind; this does not).
//   - Errors (parse, execution, `required`, `fail`): "Error: ..." on stderr, exit 1; `required` and `fail` are
//     reported as helm does: "execution error at (<chart>/templates/<file>:L:C): <message>".
//
// Not supported: subcharts (charts/, dependencies: a warning), values.schema.json validation, hooks ordering,
// --show-only, printing NOTES.txt, .Subcharts, .Files.Glob patterns beyond the above, toToml, the "strict" lint mode.
//
// What --check validates (every violation is listed, exit 1 if any):
//   - every non-empty document parses as YAML and is a mapping with apiVersion, kind and metadata.name (a valid
//     DNS-1123 subdomain; a DNS-1035 label of at most 63 characters for a Service); no two objects share
//     apiVersion group, kind, namespace and name;
//   - in Deployment, StatefulSet and DaemonSet pod templates every container (initContainers are exempt) has
//     livenessProbe, readinessProbe, startupProbe, resources.limits.cpu, resources.limits.memory and non-empty
//     resources.requests.
//
// It prints one line per object: "<Kind>/<name> ok|FAIL (<source>) [containers: <name>=<image>, ...]", then the
// violations ("VIOLATION: ...") and a count line ("N objects, M violations").
package main

import (
	"fmt"
	"os"
	"strings"
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage: render CHART_DIR [-f VALUES]... [--set K=V]... [--set-string K=V]... [--namespace NS] [--release NAME] [--api-versions G/V]...
       render --check (CHART_DIR [render options] | [STREAM|-])
       render --get SPEC
       render --yaml-equal SPEC SPEC
       render --find-data FILE [STREAM|-]
       render --json STREAM|-
SPEC = FILE[@Kind[/name]][#path.to[key.with.dots][0]]   (see the comment at the top of test/helm/render/main.go)`)
	os.Exit(2)
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "Error: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		usage()
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage()
	case "--get":
		if len(args) != 2 {
			usage()
		}
		os.Exit(runGet(args[1]))
	case "--yaml-equal":
		if len(args) != 3 {
			usage()
		}
		os.Exit(runYAMLEqual(args[1], args[2]))
	case "--json":
		if len(args) != 2 {
			usage()
		}
		os.Exit(runJSON(args[1]))
	case "--find-data":
		if len(args) < 2 || len(args) > 3 {
			usage()
		}
		stream := "-"
		if len(args) == 3 {
			stream = args[2]
		}
		os.Exit(runFindData(args[1], stream))
	}

	check := false
	opts := renderOptions{release: "costsim", namespace: "default"}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if strings.Contains(a, "=") && strings.HasPrefix(a, "--") {
				return a[strings.Index(a, "=")+1:]
			}
			if i+1 >= len(args) {
				fatal("%s needs a value", a)
			}
			i++
			return args[i]
		}
		name := a
		if strings.HasPrefix(a, "--") && strings.Contains(a, "=") {
			name = a[:strings.Index(a, "=")]
		}
		switch name {
		case "--check":
			check = true
		case "-f", "--values":
			opts.valueFiles = append(opts.valueFiles, next())
		case "--set":
			opts.sets = append(opts.sets, setArg{next(), false})
		case "--set-string":
			opts.sets = append(opts.sets, setArg{next(), true})
		case "-n", "--namespace":
			opts.namespace = next()
		case "--release", "--name":
			opts.release = next()
		case "-a", "--api-versions":
			opts.apiVersions = append(opts.apiVersions, next())
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				fmt.Fprintf(os.Stderr, "unknown option %s\n", a)
				usage()
			}
			positional = append(positional, a)
		}
	}
	if len(positional) > 1 {
		usage()
	}
	if check {
		src := "-"
		if len(positional) == 1 {
			src = positional[0]
		}
		var stream []byte
		if st, err := os.Stat(src); err == nil && st.IsDir() {
			out, err := renderChart(src, opts)
			if err != nil {
				fatal("%s", err)
			}
			stream = []byte(out)
		} else {
			var err error
			if stream, err = readInput(src); err != nil {
				fatal("%s", err)
			}
		}
		os.Exit(runCheck(stream))
	}
	if len(positional) != 1 {
		usage()
	}
	out, err := renderChart(positional[0], opts)
	if err != nil {
		fatal("%s", err)
	}
	fmt.Print(out)
}
