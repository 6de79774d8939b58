#!/bin/sh

test_description='ci: the shipped GitHub Actions and GitLab CI templates'

. "$(dirname "$0")"/lib-tokens.sh

GH=$GIT_TOKENS_DATADIR/ci/github-workflow.yml
GL=$GIT_TOKENS_DATADIR/ci/gitlab-ci.yml
ACTION=$GIT_TOKENS_DATADIR/ci/action/action.yml

FORMULA=$TEST_SRCDIR/../share/homebrew/git-tokens.rb
MACOS=$TEST_SRCDIR/../share/ci/macos-workflow.yml

if python3 -c "import yaml" 2>/dev/null
then
	test_set_prereq YAML
fi
# The Homebrew formula is Ruby: without ruby its syntax goes unchecked.
if command -v ruby >/dev/null 2>&1
then
	test_set_prereq RUBY
else
	say "skipping the formula syntax check: ruby is not installed"
fi

test_expect_success YAML 'the GitHub workflow: permissions, history, the action' '
	python3 - "$GH" "$ACTION" >actual <<-\PY &&
	import sys, yaml
	w = yaml.safe_load(open(sys.argv[1]))
	on = w.get("on", w.get(True))
	print("on", sorted(on))
	print("permissions", sorted(w["permissions"].items()))
	(job,) = w["jobs"].values()
	steps = job["steps"]
	co = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
	print("fetch-depth", co[0]["with"]["fetch-depth"])
	print("last", steps[-1]["uses"])
	a = yaml.safe_load(open(sys.argv[2]))
	runs = [s["run"] for s in a["runs"]["steps"]]
	print("notes", any("refs/notes/tokens" in r for r in runs))
	print("install", any("/../install" in r for r in runs))
	print("last", runs[-1].split()[:3])
	print("token", a["inputs"]["token"]["default"],
	      a["runs"]["steps"][-1]["env"]["GITHUB_TOKEN"])
	PY
	cat >expect <<-\EOF &&
	on ['"'"'pull_request'"'"']
	permissions [('"'"'contents'"'"', '"'"'read'"'"'), ('"'"'pull-requests'"'"', '"'"'write'"'"')]
	fetch-depth 0
	last <owner>/git-tokens/share/ci/action@<tag>
	notes True
	install True
	last ['"'"'git'"'"', '"'"'tokens'"'"', '"'"'ci'"'"']
	token ${{ github.token }} ${{ inputs.token }}
	EOF
	test_cmp expect actual
'

test_expect_success YAML 'the GitLab job: merge request pipelines, whole history, ci' '
	python3 - "$GL" >actual <<-\PY &&
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	(job,) = d.values()
	print("rule", job["rules"][0]["if"])
	print("depth", job["variables"]["GIT_DEPTH"])
	print("ci", any(l.startswith("git tokens ci") for l in job["script"]))
	print("notes", any("refs/notes/tokens" in l for l in job["before_script"]))
	print("install", any("share/ci/install" in l for l in job["before_script"]))
	PY
	cat >expect <<-\EOF &&
	rule $CI_PIPELINE_SOURCE == "merge_request_event"
	depth 0
	ci True
	notes True
	install True
	EOF
	test_cmp expect actual
'

test_expect_success RUBY 'the Homebrew formula is valid Ruby' '
	ruby -c "$FORMULA" >actual &&
	echo "Syntax OK" >expect &&
	test_cmp expect actual
'

# The pkg-config modules configure requires, as Homebrew names them.
configure_deps () {
	sed -n "s/.*PKG_CHECK_MODULES(\[[A-Z0-9]*\], \[\([a-z0-9]*\).*/\1/p" \
		"$TEST_SRCDIR/../configure.ac" |
	sed -e "s/^libcjson$/cjson/" -e "s/^libcurl$/curl/" \
		-e "s/^sqlite3$/sqlite/" -e "s/^libzstd$/zstd/" | sort
}

test_expect_success 'the formula depends on every library configure uses' '
	configure_deps >expect &&
	test_line_count = 5 expect &&
	sed -n -e "s/^  depends_on \"\([^\"]*\)\"$/\1/p" \
		-e "s/^  uses_from_macos \"\([^\"]*\)\"$/\1/p" \
		"$FORMULA" | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'the options the formula gives configure exist' '
	sed -n "/def install/,/^  end/s/.*\"\(--[a-z-]*\).*/\1/p" \
		"$FORMULA" | sort -u >opts &&
	test_line_count = 3 opts &&
	"$TEST_SRCDIR/../configure" --help >help &&
	while read -r o
	do
		grep -e "^ *$o" help || return 1
	done <opts
'

test_expect_success YAML 'the macOS workflow installs what the formula does, runs the unit tests' '
	python3 - "$MACOS" "$FORMULA" >actual <<-\PY &&
	import re, sys, yaml
	w = yaml.safe_load(open(sys.argv[1]))
	(job,) = w["jobs"].values()
	print("runs-on", job["runs-on"])
	runs = [s.get("run", "") for s in job["steps"]]
	brew = " ".join(r for r in runs if r.startswith("brew install")).split()
	f = open(sys.argv[2]).read()
	deps = re.findall(r"^  (?:depends_on|uses_from_macos) \"([^\"]+)\"", f, re.M)
	print("missing", [d for d in deps if d not in brew])
	script = "\n".join(runs)
	print("autoreconf", "autoreconf -fi" in script)
	print("werror", "./configure --enable-werror" in script)
	print("check", "check TESTS=\x27$(UNIT_TESTS)\x27" in script)
	PY
	cat >expect <<-\EOF &&
	runs-on macos-latest
	missing []
	autoreconf True
	werror True
	check True
	EOF
	test_cmp expect actual
'

test_expect_success 'make check TESTS=$(UNIT_TESTS), as the macOS job runs it, is the unit tests' '
	make -n -C "$SHARNESS_BUILD_DIRECTORY" check TESTS="\$(UNIT_TESTS)" >plan &&
	grep -o "t/unit/u-[a-z-]*\.log" plan | sort -u >actual &&
	sed -n "/^UNIT_TESTS = /,/^[^	]/s/^	\(t\/unit\/u-[a-z-]*\).*/\1.log/p" \
		"$TEST_SRCDIR/../Makefile.am" | sort >expect &&
	grep u-compat expect &&
	test_cmp expect actual &&
	! grep "\.sh\.log" plan
'

test_expect_success 'the notes step of the action works on a clone' '
	git init -q --bare origin.git &&
	git clone -q origin.git dev 2>/dev/null &&
	(
		cd dev &&
		test_commit one &&
		git notes --ref=tokens add -m "{\"v\":1}" HEAD &&
		git push -q origin HEAD:main refs/notes/tokens
	) &&
	git clone -q origin.git runner &&
	sed -n "/git fetch --no-tags/,/|| true/p" "$ACTION" >step.sh &&
	test -s step.sh &&
	(cd runner && GIT_TOKENS_REMOTE=origin sh ../step.sh) &&
	git -C runner rev-parse -q --verify refs/notes/remotes/origin/tokens
'

test_done
