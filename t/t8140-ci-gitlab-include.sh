#!/bin/sh

test_description='ci: the GitLab include, its job run as a runner runs it, against a loopback forge'

. "$(dirname "$0")"/lib-tokens.sh

SRC=$(cd "$TEST_SRCDIR/.." && pwd)
INCLUDE=$SRC/share/ci/gitlab-ci.yml
TOKEN=glpat-SENTINEL_ci_8140_token
P=/api/v4/projects/7/merge_requests/3/notes
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GITHUB_STEP_SUMMARY GIT_TOKENS_GITLAB_API \
	GIT_TOKENS_PREFIX RUNNER_TEMP GIT_TOKENS_DEB

NOTE='{"v":1,"tool":"codex","model":"gpt-5","session":"aa11bb22cc33","from":"2024-11-18T09:00:00Z","to":"2024-11-18T09:30:00Z","requests":3,"input":1000,"output":5000,"cache_write":0,"cache_read":0,"cost_usd":0.5,"by":"author@example.com","how":"hook"}'

if python3 -c "import yaml" 2>/dev/null
then
	test_set_prereq YAML
fi
# The job clones git-tokens: this tree must be a git checkout (a release
# tarball is not).
if test "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$SRC"
then
	test_set_prereq CHECKOUT
else
	say "skipping the job: $SRC is not a git checkout"
fi
# With all it builds with in place the job installs nothing (no network).
build_deps_installed () {
	command -v dpkg-query >/dev/null &&
	test -e /etc/ssl/certs/ca-certificates.crt &&
	for p in $(sed -n '/^apt_install build-essential/,/[^\\]$/{
			s/^apt_install//; s/\\$//; p; }' "$SRC/share/ci/install")
	do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'ok installed' || return 1
	done
}
if build_deps_installed
then
	test_set_prereq BUILD_DEPS
else
	say "skipping the job: a package it builds with is missing"
fi

# run_job <project dir> <log>: the include's job as GitLab's runner runs
# it in a merge request pipeline: its rules decide, its variables come
# first and the project's CI/CD variables override them (the runner's
# order of precedence), then before_script and script, one shell, each
# line under bash -eo pipefail in the project directory.
run_job () {
	(
		cd "$1" &&
		unset GIT_TOKENS_DATADIR &&
		CI=true GITLAB_CI=true CI_PROJECT_DIR=$(pwd) \
		CI_API_V4_URL=$HTTPD_URL/api/v4 \
		CI_SERVER_URL=https://gitlab.example.com CI_PROJECT_ID=7 \
		CI_MERGE_REQUEST_PROJECT_ID=7 CI_MERGE_REQUEST_IID=3 \
		CI_PIPELINE_SOURCE=merge_request_event \
		CI_MERGE_REQUEST_DIFF_BASE_SHA=$B CI_COMMIT_SHA=$H \
		CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
		python3 - "$INCLUDE" <<-\PY
		import os, re, subprocess, sys, yaml
		doc = yaml.safe_load(open(sys.argv[1]))
		(name, job), = doc.items()
		env = dict(os.environ)
		for rule in job["rules"]:
		    m = re.fullmatch(r'\$(\w+) == "([^"]*)"', rule["if"])
		    assert m, rule
		    if env.get(m.group(1)) != m.group(2):
		        sys.exit("the job does not run")
		project = {k[len("PROJECT_"):]: v for k, v in env.items()
		           if k.startswith("PROJECT_")}
		env.update({k: str(v) for k, v in job["variables"].items()})
		env.update(project)
		lines = job["before_script"] + job["script"]
		script = "\n".join(lines)
		assert "apt-get" in lines[0]
		print("job:", name, file=sys.stderr, flush=True)
		subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
		                "-c", script], env=env, check=True)
		for p in job["artifacts"]["paths"]:
		    assert os.path.exists(p), p
		PY
	) >"$2" 2>&1
}

# run_tagged_job <log>: the job with the CI/CD variables of a project
# that uses the tag made below, and its GitLab token.
run_tagged_job () {
	PROJECT_GIT_TOKENS_REPO=file://$SHARNESS_TRASH_DIRECTORY/gt \
	PROJECT_GIT_TOKENS_REF=v9.9.1 \
	PROJECT_GIT_TOKENS_SRC=$(cat clone-dir)/src \
	PROJECT_GIT_TOKENS_PREFIX=$SHARNESS_TRASH_DIRECTORY/prefix \
	PROJECT_GITLAB_TOKEN=$TOKEN \
		run_job project "$1" || { cat "$1"; false; }
}

test_expect_success 'setup: origin with a merge request and its notes' '
	request_origin refs/merge-requests/3/head "$NOTE" &&
	# What the runner checks out: the merge request head, detached.
	git clone -q origin.git project &&
	git -C project checkout -q --detach $H &&
	gitlab_srv srv 900
'

test_expect_success CHECKOUT 'setup: git-tokens at a tag, as the include clones it' '
	# The tree as it is now, committed edits or not, tagged.
	mkdir gt &&
	git -C "$SRC" ls-files -z --cached --others --exclude-standard >files &&
	python3 - "$SRC" gt <<-\PY &&
	import os, shutil, sys
	src, dst = sys.argv[1], sys.argv[2]
	for f in open("files").read().split("\0"):
	    p = os.path.join(src, f)
	    if f and os.path.lexists(p) and not os.path.isdir(p):
	        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
	        shutil.copy2(p, os.path.join(dst, f), follow_symlinks=False)
	PY
	(
		cd gt &&
		git init -q &&
		git add -A &&
		test_tick &&
		git commit -q -m "git-tokens" &&
		git tag -a -m v9.9.1 v9.9.1
	) &&
	# configure refuses a source folder whose path has a blank: the
	# clone goes where the runner would put it, outside the trash.
	CLONE=$(mktemp -d "${TMPDIR:-/tmp}/git-tokens-t8140.XXXXXX") &&
	echo "$CLONE" >clone-dir
'

test_expect_success YAML,CHECKOUT,BUILD_DEPS 'the job builds git-tokens, fetches the notes, writes the note' '
	run_tagged_job job1.log &&
	# the tag, cloned and built into the prefix, which has its data
	test "$(prefix/bin/git-tokens --version)" = "git-tokens version 9.9.1" &&
	test -f prefix/share/git-tokens/prices.json &&
	test -f "$(cat clone-dir)/src/share/ci/install" &&
	# the notes, fetched by the job
	git -C project rev-parse -q --verify refs/notes/remotes/origin/tokens &&
	# one note on the merge request, with the usage of the note above
	grep "created comment 1001 on merge request !3" job1.log &&
	python3 - >actual <<-\PY &&
	import json
	reqs = [json.loads(l) for l in open("srv/requests.log")]
	for r in reqs:
	    print(r["method"], r["path"], r["headers"].get("PRIVATE-TOKEN") ==
	          "glpat-SENTINEL_ci_8140_token")
	PY
	cat >expect <<-EOF &&
	GET /api/v4/user True
	GET $P True
	POST $P True
	EOF
	test_cmp expect actual &&
	# the artifact is the report the note holds
	grep "^### git tokens: merge request !3" project/git-tokens-report.md &&
	grep "^| total | 2 |" project/git-tokens-report.md &&
	grep "| 5.0k |" project/git-tokens-report.md &&
	! grep "$TOKEN" job1.log project/git-tokens-report.md
'

test_expect_success YAML,CHECKOUT,BUILD_DEPS 'a second run keeps the build in the prefix and edits the note' '
	rm -rf "$(cat clone-dir)/src" &&
	run_tagged_job job2.log &&
	grep "git-tokens 9.9.1 is in .*/prefix already" job2.log &&
	grep "comment 1001 on merge request !3 is up to date" job2.log
'

test_expect_success YAML,BUILD_DEPS 'without GIT_TOKENS_REF the job fails and says so' '
	test_must_fail run_job project job3.log &&
	grep "GIT_TOKENS_REF: set GIT_TOKENS_REF" job3.log
'

test_expect_success 'stop the server, remove the clone' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv &&
	if test -s clone-dir
	then
		rm -rf "$(cat clone-dir)"
	fi
'

test_done
