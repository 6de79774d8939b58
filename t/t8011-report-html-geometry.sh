#!/bin/sh

test_description='report --format=html: a 1280 px wide Chromium shows it all

A team of twelve with long e-mails over twelve weeks, and one week of two
people: the page is measured from inside Chromium. Every column of the
table lies in the viewport without sideways scrolling, no two texts of a
chart overlap, every text lies inside its chart, and a cost series of
one week draws a marker one can see.'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-html.sh

# week <n> <day>: a time in the n-th week from Monday 2024-09-02.
week () {
	date -u -d "2024-09-02 +$((7 * $1 + $2)) days" +%Y-%m-%dT10:00:00Z
}

# author <i>: the i-th teammate, a long name and a longer e-mail.
author_name () {
	echo "Maximiliane Oberhollenzer-Wittgenstein $1"
}
author_email () {
	echo "maximiliane.oberhollenzer-wittgenstein.$1@platform-engineering.example-corporation.com"
}

test_expect_success 'setup: twelve authors over twelve weeks' '
	git init -q team &&
	(
	cd team &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12
	do
		name=$(author_name $i) &&
		email=$(author_email $i) &&
		commit_on $(week $((i - 1)) 1) "$name" "$email" f$i.txt \
			"$(seq -s " " 1 $((i * 37)))" &&
		case $i in
		3|7) ;;	# no usage: a no-ai flag
		*[02468])
			usage_note codex gpt-5-codex $((i * 900)) \
				$((i * 3)).$((i * 7 % 100)) ;;
		*)
			usage_note claude-code \
				"anthropic/claude-3.7-sonnet:thinking" \
				$((i * 1100)) $((i * 2)).$((i * 13 % 100)) ;;
		esac &&
		commit_on $(week $((12 - i)) 3) "$name" "$email" g$i.txt \
			"$(seq -s " " 1 $((i * 11)))" &&
		if test $i = 5
		then
			usage_note claude-code claude-sonnet-4-5-20250929 \
				4000 17.25
		fi || return 1
	done &&
	git tokens report --format=html -o ../team.html &&
	git tokens report --format=json >../team.json
	) &&
	test "$(json_get total.changes <team.json)" = 24
'

test_expect_success 'setup: one week, two people' '
	git init -q one &&
	(
	cd one &&
	commit_on $(week 0 1) "Ann Smith" ann@example.com a.txt "1 2 3" &&
	usage_note claude-code claude-sonnet-4-5 1000 2.5 &&
	commit_on $(week 0 2) "Bo Li" bo@example.com b.txt "1 2 3 4" &&
	usage_note codex gpt-5-codex 500 0.75 &&
	git tokens report --format=html -o ../one.html
	)
'

test_expect_success 'setup: the probe, run inside the page' '
	cat >probe.js <<-\EOF &&
	(function () {
		function box(e) {
			var b = e.getBoundingClientRect();
			return [b.left, b.top, b.right, b.bottom];
		}
		var out = {
			viewport: window.innerWidth,
			width: document.documentElement.clientWidth,
			scroll: document.documentElement.scrollWidth,
			columns: [], scrollers: [], svgs: []
		};
		document.querySelectorAll("#report thead th").forEach(
			function (th, i) {
				var cells = [];
				document.querySelectorAll("#report tr").forEach(
					function (tr) {
						if (tr.cells[i])
							cells.push(box(tr.cells[i]));
					});
				out.columns.push({ name: th.textContent,
						   cells: cells });
			});
		document.querySelectorAll("div").forEach(function (d) {
			out.scrollers.push([d.scrollWidth, d.clientWidth]);
		});
		document.querySelectorAll("svg").forEach(function (svg) {
			var s = { id: svg.id, box: box(svg), texts: [],
				  markers: [] };
			svg.querySelectorAll("text").forEach(function (t) {
				s.texts.push({ text: t.textContent, box: box(t) });
			});
			svg.querySelectorAll("circle.cost").forEach(function (c) {
				s.markers.push(box(c));
			});
			out.svgs.push(s);
		});
		var pre = document.createElement("pre");
		pre.id = "probe";
		pre.textContent = JSON.stringify(out);
		document.body.appendChild(pre);
	})();
	EOF
	cat >check.py <<-\EOF
	import json, sys

	def inside(b, outer, slack=0.5):
	    return (b[0] >= outer[0] - slack and b[1] >= outer[1] - slack and
	            b[2] <= outer[2] + slack and b[3] <= outer[3] + slack)

	def overlap(a, b, slack=0.5):
	    return (min(a[2], b[2]) - max(a[0], b[0]) > slack and
	            min(a[3], b[3]) - max(a[1], b[1]) > slack)

	d = json.load(open(sys.argv[1]))
	bad = []
	vw = d["viewport"]
	if vw != 1280:
	    bad.append("viewport is %s px wide, not 1280" % vw)
	# the room beside the vertical scroll bar
	vw = d["width"]
	if d["scroll"] > vw:
	    bad.append("the page scrolls sideways: %s > %s" % (d["scroll"], vw))
	for sw, cw in d["scrollers"]:
	    if sw > cw:
	        bad.append("a box scrolls sideways: %s > %s" % (sw, cw))
	names = [c["name"] for c in d["columns"]]
	for want in sys.argv[2].split(","):
	    if want not in names:
	        bad.append("no column %s in %s" % (want, names))
	for c in d["columns"]:
	    for b in c["cells"]:
	        if b[0] < 0 or b[2] > vw:
	            bad.append("column %s at %.0f..%.0f is off-screen" %
	                       (c["name"], b[0], b[2]))
	            break
	for s in d["svgs"]:
	    t = s["texts"]
	    for i, a in enumerate(t):
	        if not inside(a["box"], s["box"]):
	            bad.append("%s: %r %s is cut by the chart %s" %
	                       (s["id"], a["text"], a["box"], s["box"]))
	        for b in t[i + 1:]:
	            if overlap(a["box"], b["box"]):
	                bad.append("%s: %r and %r overlap" %
	                           (s["id"], a["text"], b["text"]))
	    if len(s["markers"]) == 1:
	        b = s["markers"][0]
	        if b[2] - b[0] < 8 or b[3] - b[1] < 8:
	            bad.append("%s: a one-point series is a %.0fx%.0f px dot" %
	                       (s["id"], b[2] - b[0], b[3] - b[1]))
	if len(sys.argv) > 3:
	    w = [s for s in d["svgs"] if s["id"] == sys.argv[3]]
	    if not w or len(w[0]["markers"]) != 1:
	        bad.append("expected one cost marker in %s" % sys.argv[3])
	print("\n".join(bad))
	sys.exit(1 if bad else 0)
	EOF
'

# measure <page> <out.json>: load the page at 1280x800 in Chromium with
# the probe added (the copy lets inline scripts run); the probe writes
# the boxes it reads into the DOM, as JSON.
measure () {
	python3 - "$1" probe.js probe-"$1" <<-\EOF &&
	import sys
	page = open(sys.argv[1], encoding="utf-8").read()
	probe = open(sys.argv[2], encoding="utf-8").read()
	page = page.replace("default-src 'none';",
	                    "default-src 'none'; script-src 'unsafe-inline';")
	page = page.replace("</body>", "<script>%s</script>\n</body>" % probe)
	open(sys.argv[3], "w", encoding="utf-8").write(page)
	EOF
	headless --window-size=1280,800 --dump-dom \
		"file://$(pwd)/probe-$1" >dom-"$1" 2>chromium.err &&
	python3 - dom-"$1" "$2" <<-\EOF
	import html, re, sys
	dom = open(sys.argv[1], encoding="utf-8").read()
	m = re.search(r"<pre id=\"probe\">(.*?)</pre>", dom, re.S)
	assert m, "the probe did not run"
	open(sys.argv[2], "w").write(html.unescape(m.group(1)))
	EOF
}

test_expect_success 'the table keeps every name and e-mail whole' '
	for i in 1 2 3 4 5 6 7 8 9 10 11 12
	do
		grep "<td class=\"key\">$(author_name $i) <span class=\"email\">&lt;$(author_email $i)&gt;</span></td>" team.html ||
		return 1
	done
'

test_expect_success CHROMIUM 'twelve authors: every column on screen, charts clean' '
	measure team.html team-boxes.json &&
	python3 check.py team-boxes.json "author,lines/\$,cost,flags"
'

test_expect_success CHROMIUM 'log of the team: every column on screen' '
	(cd team && git tokens log --format=html -o ../log.html) &&
	measure log.html log-boxes.json &&
	python3 check.py log-boxes.json "commit,author,+lines,cost,agent"
'

test_expect_success CHROMIUM 'one week: the cost is a marker one can see' '
	measure one.html one-boxes.json &&
	python3 check.py one-boxes.json "lines/\$,flags" svg-weekly
'

test_done
