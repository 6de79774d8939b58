#!/bin/sh

test_description='report --format=html: one self-contained page with charts'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-html.sh

test_expect_success 'setup: three weeks, a gap week, four people' '
	git init -q repo &&
	(
	cd repo &&
	commit_on 2024-11-18T10:00:00Z "Ann Smith" ann@example.com a.txt "1 2 3 4 5 6 7 8 9 10" &&
	usage_note claude-code claude-sonnet-4-5 1000 2.5 &&
	commit_on 2024-11-19T10:00:00Z "Tom & \"Jerry\" O'\''Neil" tom@example.com b.txt "1 2 3" &&
	usage_note codex "gpt-5<script>alert(1)</script>" 500 0.75 &&
	commit_on 2024-11-20T10:00:00Z "Ann Smith" ann@example.com a.txt "11 12" &&
	commit_on 2024-12-03T10:00:00Z "Bea Quiet" bea@example.com c.txt "1 2 3 4" &&
	commit_on 2024-12-04T10:00:00Z "Tom & \"Jerry\" O'\''Neil" tom@example.com b.txt "4 5 6 7 8 9" &&
	usage_note claude-code claude-opus-4-1 2000 4.25 &&
	git tokens report --format=json >../report.json
	)
'

test_expect_success 'html goes to -o as one page' '
	(cd repo && git tokens report --format=html -o ../page.html) >out &&
	test_must_be_empty out &&
	head -n 1 page.html >first &&
	echo "<!DOCTYPE html>" >expect &&
	test_cmp expect first &&
	tail -n 1 page.html | grep "^</html>$" &&
	(cd repo && git tokens report --format=html) >stdout.html &&
	test_cmp page.html stdout.html
'

test_expect_success 'the page loads nothing: no URL, script, link or import' '
	! grep -Ei "(src|href|xlink:href|action)[[:space:]]*=[[:space:]]*[\"'\'']?[[:space:]]*(https?:)?//" page.html &&
	! grep -Ei "https?://" page.html &&
	! grep -Ei "<script|<link|<img|<iframe|@import|url\\(" page.html &&
	grep "Content-Security-Policy" page.html
'

test_expect_success 'every text is escaped' '
	grep "gpt-5&lt;script&gt;alert(1)&lt;/script&gt;" page.html &&
	grep "Tom &amp; &quot;Jerry&quot; O&#39;Neil" page.html &&
	python3 - page.html <<-\PY
	import sys
	from html.parser import HTMLParser
	class P(HTMLParser):
	    def __init__(self):
	        super().__init__()
	        self.tags, self.text = [], []
	    def handle_starttag(self, tag, attrs):
	        self.tags.append(tag)
	    def handle_data(self, d):
	        self.text.append(d)
	p = P()
	p.feed(open(sys.argv[1], encoding="utf-8").read())
	assert "script" not in p.tags, "a script element"
	text = "".join(p.text)
	assert "gpt-5<script>alert(1)</script>" in text
	assert "Tom & \"Jerry\" O'"'"'Neil" in text
	for t in ("table", "svg", "circle", "rect", "polyline"):
	    assert t in p.tags, t
	PY
'

test_expect_success 'the numbers are the report numbers' '
	python3 - report.json page.html <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	page = open(sys.argv[2], encoding="utf-8").read()
	for r in d["rows"] + [d["total"]]:
	    cell = "<td class=\"num\">%d</td>" % r["lines_added"]
	    assert cell in page, cell
	    if r["cost_usd"] is not None:
	        money = "$%.2f" % r["cost_usd"]
	        assert money in page, money
	assert "$7.50" in page   # 2.5 + 0.75 + 4.25
	PY
'

test_expect_success 'charts: a point per author with cost, a bar per week' '
	python3 - page.html <<-\PY
	import re, sys
	page = open(sys.argv[1], encoding="utf-8").read()
	def svg(id):
	    m = re.search(r"<svg id=\"%s\".*?</svg>" % id, page, re.S)
	    assert m, id
	    return m.group(0)
	s = svg("svg-scatter")
	# Ann and Tom have a cost, Bea has none
	assert s.count("<circle") == 2, s
	assert ">Ann Smith<" in s and "Bea Quiet" not in s
	assert "1 author without a known cost is not plotted" in page
	# survival is known here: the chart plots surviving lines
	assert "surviving lines unknown: +lines instead" not in page
	w = svg("svg-weekly")
	# 2024-W47 .. 2024-W49: three bars, the gap week W48 among them
	bars = re.findall(r"<rect class=\"bar\"[^>]*><title>([^<]*)", w)
	assert [b.split(":")[0] for b in bars] == \
	    ["2024-W47", "2024-W48", "2024-W49"], bars
	assert "2024-W47: 15 landed +lines, $3.25" in w, bars
	assert "2024-W48: 0 landed +lines" in w, bars
	assert "2024-W49: 10 landed +lines, $4.25" in w, bars
	assert w.count("<polyline") == 1
	t = svg("svg-tool")
	assert re.findall(r">([a-z-]+): \$", t) == ["claude-code", "codex"], t
	m = svg("svg-model")
	assert m.index("claude-opus-4-1") < m.index("claude-sonnet-4-5") < \
	    m.index("gpt-5&lt;script")
	PY
'

test_expect_success 'other keys: the table follows --by, the charts stay' '
	(cd repo && git tokens report --by=tool --format=html) >tool.html &&
	grep "<th>tool</th>" tool.html &&
	grep "<td class=\"key\">codex</td>" tool.html &&
	grep "<td class=\"key\">none</td>" tool.html &&
	grep ">Ann Smith<" tool.html &&
	(cd repo && git config tokens.team.core "ann" &&
	 git tokens report --by=team --format=html) >team.html &&
	grep "<td class=\"key\">core</td>" team.html &&
	grep "<td class=\"key\">(none)</td>" team.html &&
	(cd repo && git tokens report --by=week --format=html) >week.html &&
	grep "<td class=\"key\">2024-W49</td>" week.html &&
	(cd repo && git tokens log --format=html) >log.html &&
	grep "<th>commit</th>" log.html &&
	grep "<svg id=\"svg-weekly\"" log.html
'

test_expect_success 'an empty range still gives a whole page' '
	(cd repo && git tokens report --format=html --since=2030-01-01) \
		>empty.html 2>err &&
	grep "no changes in range" empty.html &&
	grep "</html>" empty.html
'

test_expect_success CHROMIUM 'chromium renders it: DOM with names, numbers, SVG' '
	headless --dump-dom "file://$(pwd)/page.html" >dom.html 2>chromium.err &&
	python3 - dom.html report.json <<-\PY
	import json, re, sys
	dom = open(sys.argv[1], encoding="utf-8").read()
	d = json.load(open(sys.argv[2]))
	assert len(dom) > 2000, "blank page"
	for name in ("Ann Smith", "Bea Quiet", "Tom &amp; \"Jerry\" O'"'"'Neil"):
	    assert name in dom, name
	assert "$7.50" in dom
	for r in d["rows"]:
	    assert ">%d<" % r["changes"] in dom
	# the parser put the charts in the SVG namespace: 4 of them
	assert len(re.findall(r"<svg ", dom)) == 4, re.findall(r"<svg [^>]*", dom)
	assert dom.count("<circle") >= 2 and dom.count("<rect") >= 5
	assert "<script" not in dom
	PY
'

test_expect_success CHROMIUM 'chromium takes a screenshot that is not blank' '
	headless --window-size=1200,1800 --screenshot="$(pwd)/shot.png" \
		"file://$(pwd)/page.html" >/dev/null 2>chromium.err &&
	test -s shot.png &&
	python3 - shot.png <<-\PY
	import struct, sys, zlib
	data = open(sys.argv[1], "rb").read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
	pos, idat, w, h = 8, b"", 0, 0
	while pos < len(data):
	    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
	    body = data[pos + 8:pos + 8 + n]
	    if kind == b"IHDR":
	        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
	        assert depth == 8 and ctype in (2, 6), (depth, ctype)
	        bpp = 3 if ctype == 2 else 4
	    elif kind == b"IDAT":
	        idat += body
	    pos += 12 + n
	raw = zlib.decompress(idat)
	stride = w * bpp
	prev = bytearray(stride)
	colours = set()
	for y in range(h):
	    f = raw[y * (stride + 1)]
	    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
	    for i in range(stride):
	        a = line[i - bpp] if i >= bpp else 0
	        b = prev[i]
	        c = prev[i - bpp] if i >= bpp else 0
	        if f == 1: line[i] = (line[i] + a) & 255
	        elif f == 2: line[i] = (line[i] + b) & 255
	        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
	        elif f == 4:
	            p = a + b - c
	            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
	            line[i] = (line[i] + (a if pa <= pb and pa <= pc else
	                                  b if pb <= pc else c)) & 255
	    prev = line
	    if y % 4 == 0:
	        for x in range(0, w, 4):
	            colours.add(bytes(line[x * bpp:x * bpp + 3]))
	# text, bars in the palette, grid lines: many colours, not one
	assert len(colours) > 20, len(colours)
	assert b"\x4e\x79\xa7" in colours or b"\xf2\x8e\x2b" in colours, \
	    "no chart colour"
	PY
'

test_done
