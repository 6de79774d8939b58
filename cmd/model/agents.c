#include "base/compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "git/repo.h"
#include "model/agents.h"

static const char *const kind_names[] = {
	[AGENT_RULE_AGENT] = "agent",
	[AGENT_RULE_LINE] = "line",
	[AGENT_RULE_TOOL] = "tool",
	[AGENT_RULE_BOT] = "bot",
};

const char *agent_rule_kind_name(enum agent_rule_kind kind)
{
	return kind_names[kind];
}

/*
 * Agent names outlive the rules they came from: changes point at them
 * after the list is released. A few tens of names, kept for good.
 */
static const char *intern(const char *s)
{
	static struct strvec names = STRVEC_INIT;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < names.nr; i++)
		if (!strcmp(names.v[i], s))
			return names.v[i];
	return strvec_push(&names, s);
}

/* "Name <email>" -> the index of the rule it matched plus one (0: none). */
struct agent_memo {
	struct memo_entry {
		uint64_t hash;
		char *ident;
		size_t rule;
	} *e;
	size_t nr, alloc;       /* alloc is 0 or a power of two */
};

static void memo_clear(struct agent_memo *m)
{
	size_t i;

	for (i = 0; m && i < m->alloc; i++)
		free(m->e[i].ident);
	if (m) {
		free(m->e);
		memset(m, 0, sizeof(*m));
	}
}

/* The entry for ident (hash h), empty when it was never classified. */
static struct memo_entry *memo_find(struct agent_memo *m, const char *ident,
				    uint64_t h)
{
	size_t j;

	if ((m->nr + 1) * 2 > m->alloc) {
		struct agent_memo old = *m;

		m->alloc = old.alloc ? old.alloc * 2 : 256;
		m->e = xcalloc(m->alloc, sizeof(*m->e));
		for (j = 0; j < old.alloc; j++) {
			size_t k = old.e[j].hash & (m->alloc - 1);

			if (!old.e[j].ident)
				continue;
			while (m->e[k].ident)
				k = (k + 1) & (m->alloc - 1);
			m->e[k] = old.e[j];
		}
		free(old.e);
	}
	j = h & (m->alloc - 1);
	while (m->e[j].ident &&
	       (m->e[j].hash != h || strcmp(m->e[j].ident, ident)))
		j = (j + 1) & (m->alloc - 1);
	return &m->e[j];
}

void agent_list_add(struct agent_list *l, enum agent_rule_kind kind,
		    const char *name, const char *pattern,
		    const char *origin)
{
	struct agent_rule *r;

	if (!l->memo)
		l->memo = xcalloc(1, sizeof(*l->memo));
	memo_clear(l->memo); /* a new rule may classify anyone anew */

	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	r = &l->v[l->nr++];
	r->kind = kind;
	r->name = intern(name);
	r->pattern = xstrdup(pattern);
	r->origin = xstrdup(origin);
}

/* Take the next word of *p (up to a blank) and skip the blanks after. */
static char *next_word(char **p)
{
	char *w = *p, *e = w + strcspn(w, " \t");

	*p = e + strspn(e, " \t");
	if (*e)
		*e = '\0';
	return w;
}

int agent_list_parse(struct agent_list *l, const char *buf,
		     const char *origin)
{
	struct strbuf line = STRBUF_INIT, where = STRBUF_INIT;
	const char *p = buf;
	unsigned nr = 0;
	int ret = 0;

	while (*p) {
		const char *eol = strchrnul(p, '\n');
		char *rest, *kind, *name = NULL;
		size_t k;

		nr++;
		strbuf_reset(&line);
		strbuf_add(&line, p, eol - p);
		p = *eol ? eol + 1 : eol;
		strbuf_trim(&line);
		if (!line.len || line.buf[0] == '#')
			continue;
		strbuf_reset(&where);
		strbuf_addf(&where, "%s:%u", origin, nr);
		rest = line.buf;
		kind = next_word(&rest);
		for (k = 0; k < ARRAY_SIZE(kind_names); k++)
			if (!strcmp(kind, kind_names[k]))
				break;
		if (k == ARRAY_SIZE(kind_names)) {
			ret = error("%s: unknown rule '%s'", where.buf, kind);
			break;
		}
		if (k != AGENT_RULE_BOT)
			name = next_word(&rest);
		if (!*rest) {
			ret = error("%s: '%s' needs %s", where.buf, kind,
				    k == AGENT_RULE_BOT ? "a pattern" :
				    "a name and a pattern");
			break;
		}
		agent_list_add(l, k, name, rest, where.buf);
	}
	strbuf_release(&line);
	strbuf_release(&where);
	return ret;
}

char *agents_file(void)
{
	return xstrfmt("%s/agents.txt", tokens_datadir());
}

static void add_config(struct agent_list *l, struct repo *repo,
		       const char *key, enum agent_rule_kind kind)
{
	struct strvec v = STRVEC_INIT;
	size_t i;

	repo_config_multi(repo, key, &v);
	/* A configured identity's agent is named by its pattern. */
	for (i = 0; i < v.nr; i++)
		if (*v.v[i])
			agent_list_add(l, kind, kind == AGENT_RULE_BOT ? NULL :
				       v.v[i], v.v[i], key);
	strvec_clear(&v);
}

int agents_load(struct agent_list *l, struct repo *repo)
{
	struct strbuf buf = STRBUF_INIT;
	char *path = agents_file();
	int ret = 0;

	if (repo) {
		add_config(l, repo, "tokens.agentIdentity", AGENT_RULE_AGENT);
		add_config(l, repo, "tokens.bot", AGENT_RULE_BOT);
	}
	if (strbuf_read_file(&buf, path, 4096) < 0)
		ret = error("cannot read the agent list '%s': %s", path,
			    strerror(errno));
	else
		ret = agent_list_parse(l, buf.buf, path);
	strbuf_release(&buf);
	free(path);
	return ret;
}

void agent_list_release(struct agent_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].pattern);
		free(l->v[i].origin);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
	memo_clear(l->memo);
	free(l->memo);
	l->memo = NULL;
}

/* Case-insensitive glob with '*' and '?' only: "[bot]" is literal. */
static int glob_match(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			back = s;
		} else if (*p && (*p == '?' ||
				  tolower((unsigned char)*p) ==
				  tolower((unsigned char)*s))) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++back;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* pattern against the name, the email or "Name <email>" (ident). */
static int ident_match(const char *pattern, const char *name,
		       const char *email, const char *ident)
{
	return glob_match(pattern, name) ||
	       (*email && glob_match(pattern, email)) ||
	       glob_match(pattern, ident);
}

int agents_pattern_match(const char *pattern, const char *name,
			 const char *email)
{
	struct strbuf ident = STRBUF_INIT;
	int match;

	strbuf_addf(&ident, "%s <%s>", name, email);
	match = ident_match(pattern, name, email, ident.buf);
	strbuf_release(&ident);
	return match;
}

/*
 * The first agent or bot rule an identity matches, or NULL. Every
 * commit asks this: "Name <email>" is spelled once, not once a rule.
 */
static const struct agent_rule *classify(const struct agent_list *l,
					 const char *name, const char *email)
{
	struct strbuf ident = STRBUF_INIT;
	struct memo_entry *e;
	uint64_t h;
	size_t i;

	if (!l || !l->nr)
		return NULL;
	strbuf_addstr(&ident, name);
	strbuf_addstr(&ident, " <");
	strbuf_addstr(&ident, email);
	strbuf_addch(&ident, '>');
	h = hash_bytes(ident.buf, ident.len, 0);
	e = memo_find(l->memo, ident.buf, h);
	if (!e->ident) {
		for (i = 0; i < l->nr && !e->rule; i++)
			if ((l->v[i].kind == AGENT_RULE_AGENT ||
			     l->v[i].kind == AGENT_RULE_BOT) &&
			    ident_match(l->v[i].pattern, name, email,
					ident.buf))
				e->rule = i + 1;
		e->hash = h;
		e->ident = strbuf_detach(&ident, NULL);
		l->memo->nr++;
	}
	strbuf_release(&ident);
	return e->rule ? &l->v[e->rule - 1] : NULL;
}

static const char *tool_of(const struct agent_list *l, const char *agent)
{
	size_t i;

	for (i = 0; l && i < l->nr; i++)
		if (l->v[i].kind == AGENT_RULE_TOOL &&
		    !strcmp(l->v[i].name, agent))
			return intern(l->v[i].pattern);
	return agent;
}

/* "Name <email>" of a trailer value into name and email. */
static void split_ident(const char *v, char **name, char **email)
{
	const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *end = lt ? lt : v + strlen(v);

	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	*name = xstrndup(v, end - v);
	*email = gt ? xstrndup(lt + 1, gt - lt - 1) : xstrdup("");
}

static int is_trailer(const char *line, const char *key, const char **value)
{
	size_t n = strlen(key);

	if (strncasecmp(line, key, n) || line[n] != ':')
		return 0;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	*value = line;
	return 1;
}

static const char *line_agent(const struct agent_list *l, const char *line)
{
	size_t i;

	for (i = 0; l && i < l->nr; i++)
		if (l->v[i].kind == AGENT_RULE_LINE &&
		    !strncasecmp(line, l->v[i].pattern,
				 strlen(l->v[i].pattern)))
			return l->v[i].name;
	return NULL;
}

/*
 * One message line: a line rule, or a trailer whose value names an
 * agent; a human co-author of an agent's change is who it belongs to.
 */
static void detect_line(struct agent_mark *out, const char *line,
			const struct agent_list *l, int *found_human)
{
	const struct agent_rule *r;
	const char *v, *agent;
	char *name, *email;
	int co;

	if (!out->agent && (agent = line_agent(l, line)))
		out->agent = agent;
	co = is_trailer(line, "Co-authored-by", &v);
	if (!co && !is_trailer(line, "Assisted-by", &v) &&
	    !is_trailer(line, "Generated-by", &v))
		return;
	split_ident(v, &name, &email);
	r = classify(l, name, email);
	if (r && r->kind == AGENT_RULE_AGENT) {
		if (!out->agent)
			out->agent = r->name;
	} else if (!r && co && out->author_is_agent && !*found_human) {
		out->human_name = name;
		out->human_email = email;
		name = email = NULL;
		*found_human = 1;
	}
	free(name);
	free(email);
}

void agents_detect(struct agent_mark *out, const char *author_name,
		   const char *author_email, const char *message,
		   const struct agent_list *rules)
{
	struct strbuf line = STRBUF_INIT;
	const struct agent_rule *r;
	const char *p = message ? message : "";
	size_t n;
	int found_human = 0;

	memset(out, 0, sizeof(*out));
	r = classify(rules, author_name, author_email);
	if (r && r->kind == AGENT_RULE_AGENT) {
		out->agent = r->name;
		out->author_is_agent = 1;
	} else if (r) {
		out->author_is_bot = 1;
	} else if ((n = strlen(author_name)) > 8 &&
		   !strcmp(author_name + n - 8, " (aider)")) {
		/* Jane Doe (aider): Jane's change, assisted by aider. */
		out->agent = intern("aider");
		out->author_is_agent = 1;
		out->human_name = xstrndup(author_name, n - 8);
		out->human_email = xstrdup(author_email);
		found_human = 1;
	}

	while (*p) {
		const char *eol = strchrnul(p, '\n');

		strbuf_reset(&line);
		strbuf_add(&line, p, eol - p);
		strbuf_rtrim(&line);
		detect_line(out, line.buf, rules, &found_human);
		p = *eol ? eol + 1 : eol;
	}
	if (out->agent)
		out->tool = tool_of(rules, out->agent);
	strbuf_release(&line);
}

void agent_mark_release(struct agent_mark *m)
{
	free(m->human_name);
	free(m->human_email);
	m->human_name = m->human_email = NULL;
}
