#!/bin/sh

test_description='ci: the shipped GitHub Actions and GitLab CI templates'

. "$(dirname "$0")"/lib-tokens.sh

GH=$GIT_TOKENS_DATADIR/ci/github-workflow.yml
GL=$GIT_TOKENS_DATADIR/ci/gitlab-ci.yml
ACTION=$GIT_TOKENS_DATADIR/ci/action/action.yml

if python3 -c "import yaml" 2>/dev/null
then
	test_set_prereq YAML
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
