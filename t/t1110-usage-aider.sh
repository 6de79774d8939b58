#!/bin/sh

test_description='usage: aider chat histories, every token-line variant'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
TZ=UTC
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME TZ

# gen_aider <file> <zone> <session>...: write an aider history made of the
# given sessions (see the table below) and, beside it, <file>.expect: the
# usage per UTC day when the history was written in time zone <zone>,
# worked out from the numbers the lines were made from.
gen_aider () {
	python3 - "$@" <<-\PY
	import json, os, sys, datetime, zoneinfo
	path, zone, names = sys.argv[1], sys.argv[2], sys.argv[3:]
	# list prices, USD per million tokens: input, output, write 5m, read
	price = {"claude-sonnet-4-5-20250929": (3, 15, 3.75, 0.3),
	         "gpt-5": (1.25, 10, None, 0.125)}

	def num(s):
	    s = s.replace(",", "")
	    if s.endswith("k"):
	        return round(float(s[:-1]) * 1000)
	    return int(s)

	# (sent, cache write, cache hit, hit word, received, cost, cost place)
	S = {
	  "a": ("2024-11-18 10:00:00", "> Main model: claude-sonnet-4-5-20250929 with diff edit format, infinite output", [
	    ("2.4k", None, None, None, "104", "0.00042", "same"),
	    ("21k", "9.5k", "14k", "cache hit", "9", "0.0030", "next"),
	    ("8.0k", "3.0k", None, None, "250", "0.02", "same"),
	    ("3.1k", None, None, None, "99", None, None),
	    ("12k", None, "4.2k", "cache hit", "1.2k", "0.0040", "next-nostream"),
	  ]),
	  "b": ("2024-11-19 21:30:00", "> Models: gpt-5 with diff edit format, weak model gpt-5-mini", [
	    ("5,244", None, None, None, "1,102", "0.02", "request"),
	    ("15k", None, "10k", "cached", "300", "0.01", "suffix"),
	    ("1234k", None, None, None, "12k", None, None),
	  ]),
	  "c": ("2024-11-21 09:15:00", "> Model: deepseek/deepseek-chat with diff edit format", [
	    ("1,000", None, "200", "cache hit", "50", None, None),
	  ]),
	  "wt": ("2024-11-22 08:00:00", "> Main model: gpt-5 with diff edit format", [
	    ("700", None, None, None, "70", "0.001", "same"),
	  ]),
	}
	tz = zoneinfo.ZoneInfo(zone)
	out, expect = [], {}
	for name in names:
	    start, model_line, events = S[name]
	    out += ["", "# aider chat started at " + start, "",
	            "> Aider v0.86.1  ", model_line + "  ",
	            "> Git repo: .git with 3 files  ", "",
	            "#### make it so", "", "Sure.", ""]
	    local = datetime.datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
	    day = local.replace(tzinfo=tz).astimezone(
	        datetime.timezone.utc).strftime("%Y-%m-%d")
	    model = model_line.split(": ", 1)[1].split(" with ")[0]
	    for sent, w, h, hw, recv, cost, place in events:
	        line = "> Tokens: %s sent" % sent
	        if w:
	            line += ", %s cache write" % w
	        if h:
	            line += ", %s %s" % (h, hw)
	        line += ", %s received." % recv
	        cl = None
	        if place == "same":
	            line += " Cost: $%s message, $1.00 session." % cost
	        elif place == "request":
	            line += " Cost: $%s request, $1.00 session." % cost
	        elif place == "suffix":
	            line += " Cost: $%s message, $1.00 session, cache costs not included." % cost
	        elif place == "next":
	            cl = "Cost: $%s message, $1.00 session." % cost
	        elif place == "next-nostream":
	            cl = "Cost: $%s message, $1.00 session.Use --no-stream for accurate caching costs." % cost
	        out.append(line + "  ")
	        if cl:
	            out.append(cl + "  ")
	        out.append("")
	        s, w, h, r = num(sent), num(w or "0"), num(h or "0"), num(recv)
	        # "sent" holds the cache writes, and the hits when it can
	        inp = s - w - h if s >= w + h else s - w
	        e = expect.setdefault(day, dict(requests=0, input=0, output=0,
	                                        cache_write=0, cache_read=0,
	                                        cost_usd=0.0))
	        e["requests"] += 1
	        e["input"] += inp
	        e["output"] += r
	        e["cache_write"] += w
	        e["cache_read"] += h
	        if cost:
	            c = float(cost)
	        elif model in price:
	            pi, po, pw, pr = price[model]
	            c = (inp * pi + r * po + w * (pw or pi) + h * pr) / 1e6
	        else:
	            c = None
	        if c is None or e["cost_usd"] is None:
	            e["cost_usd"] = None
	        else:
	            e["cost_usd"] += c
	with open(path, "a") as f:
	    f.write("\n".join(out) + "\n")
	with open(path + ".expect", "w") as f:
	    json.dump(expect, f)
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	(cd proj && test_commit one && test_commit two) &&
	gen_aider proj/.aider.chat.history.md UTC a b c
'

test_expect_success 'every token line counts once, costs as recorded' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	usage_matches out.json proj/.aider.chat.history.md.expect &&
	test $(json_get total.requests <out.json) = 9
'

test_expect_success 'an unknown model costs null with one warning naming it' '
	test $(grep -c "deepseek/deepseek-chat" err) = 1 &&
	grep "^warning: .*deepseek/deepseek-chat" err
'

test_expect_success 'session start is local time: TZ=America/New_York' '
	rm -f proj/.aider.chat.history.md* &&
	gen_aider proj/.aider.chat.history.md America/New_York a b &&
	(cd proj && TZ=America/New_York git tokens usage --no-cache \
		--timezone=UTC --format json >../out.json) &&
	usage_matches out.json proj/.aider.chat.history.md.expect &&
	# 21:30 in New York on the 19th is the 20th in UTC
	json_get rows.1.key <out.json >day &&
	echo 2024-11-20 >expect &&
	test_cmp expect day &&
	# and the 19th in New York, the zone days are counted in by default
	(cd proj && TZ=America/New_York git tokens usage --format json \
		>../out.json) &&
	json_get rows.1.key <out.json >day &&
	echo 2024-11-19 >expect &&
	test_cmp expect day
'

test_expect_success 'the same file read in UTC keeps the local day' '
	rm -f proj/.aider.chat.history.md.expect &&
	cp proj/.aider.chat.history.md keep &&
	rm proj/.aider.chat.history.md &&
	gen_aider proj/.aider.chat.history.md UTC a b &&
	test_cmp keep proj/.aider.chat.history.md &&
	(cd proj && TZ=UTC git tokens usage --no-cache --format json \
		>../out.json) &&
	usage_matches out.json proj/.aider.chat.history.md.expect &&
	json_get rows.1.key <out.json >day &&
	echo 2024-11-19 >expect &&
	test_cmp expect day
'

test_expect_success 'event times: the session start plus a millisecond each' '
	(cd proj && git tokens usage --since=2024-11-19T21:30:00Z \
		--until=2024-11-19T21:30:00.002Z --format json >../out.json) &&
	test $(json_get total.requests <out.json) = 1 &&
	test $(json_get total.input <out.json) = 5244 &&
	(cd proj && git tokens usage --since=2024-11-19T21:30:00.003Z \
		--until=2024-11-19T21:30:01Z --format json >../out.json) &&
	test $(json_get total.requests <out.json) = 1 &&
	test $(json_get total.output <out.json) = 12000
'

test_expect_success 'a growing history is read again (saved state)' '
	(cd proj && git tokens usage --format json >/dev/null) &&
	gen_aider proj/.aider.chat.history.md UTC c &&
	cp proj/.aider.chat.history.md.expect c.expect &&
	rm -f proj/.aider.chat.history.md.expect &&
	gen_aider k2 UTC a b &&
	(cd proj && git tokens usage --format json >../out.json 2>/dev/null) &&
	usage_matches out.json k2.expect c.expect
'

test_expect_success 'linked worktrees have their own history' '
	(cd proj && git worktree add -q ../proj-wt) &&
	gen_aider proj-wt/.aider.chat.history.md UTC wt &&
	(cd proj-wt && git tokens usage --format json >../out.json 2>/dev/null) &&
	usage_matches out.json k2.expect c.expect \
		proj-wt/.aider.chat.history.md.expect &&
	(cd proj && git tokens usage --format json >../out2.json 2>/dev/null) &&
	test_cmp out.json out2.json
'

test_expect_success 'tokens.aider.path names a history kept elsewhere' '
	rm -rf elsewhere && mkdir elsewhere &&
	gen_aider elsewhere/history.md UTC wt &&
	mv proj-wt/.aider.chat.history.md wt.md &&
	git -C proj config tokens.aider.path "$(pwd)/elsewhere/history.md" &&
	(cd proj && git tokens usage --format json >../out.json 2>/dev/null) &&
	usage_matches out.json k2.expect c.expect elsewhere/history.md.expect &&
	git -C proj config --unset tokens.aider.path
'

test_expect_success 'token lines aider did not write are bad input' '
	cat >>proj/.aider.chat.history.md <<-\EOF &&

	> Tokens: lots sent, 3 received.
	> Tokens: 2000000000k sent, 3 received.
	EOF
	n=$(($(wc -l <proj/.aider.chat.history.md) - 1)) &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	usage_matches out.json k2.expect c.expect &&
	grep "^warning: skipped 2 .*\.aider\.chat\.history\.md:$n" err
'

test_done
