/*
 * git tokens blame [--porcelain] [-L <range>] [<rev>] [--] <file>:
 * "git blame" with, for each line, the agent that wrote it (its tool
 * and model) where the agents' own notes say so, and the cost of its
 * commit's change from our usage notes. The lines, and every field git
 * prints, are git's.
 */
#include <stdio.h>
#include <string.h>

#include "base/die.h"
#include "base/parse-options.h"
#include "base/run-command.h"
#include "builtin/builtin.h"
#include "engine/ai-lines.h"
#include "engine/notes.h"
#include "git/repo.h"

static const char * const blame_usage[] = {
	"git tokens blame [--porcelain] [-L <range>...] [<rev>] [--] <file>",
	NULL
};

struct blame_ctx {
	struct ai_notes *an;
	struct notes_map notes;
	const char *buf;
	struct strbuf *out;
	size_t done;                 /* of buf, copied to out */
	int porcelain;
	/* the default format: one entry per line */
	struct strvec agent, cost;
};

static const struct ai_span *agent_of(struct blame_ctx *x,
				      const struct blame_line *bl)
{
	const struct ai_note *n = ai_notes_get(x->an, bl->commit);
	const struct ai_span *s = n ? ai_note_find(n, bl->path, bl->orig) :
				  NULL;

	return s && s->tool ? s : NULL;
}

/* The cost our notes give the commit; 0 when unknown. */
static int cost_of(struct blame_ctx *x, const char *commit, double *cost)
{
	const struct note *n = notes_find(&x->notes, commit);
	struct usage_sum u;

	if (!n)
		return 0;
	memset(&u, 0, sizeof(u));
	note_usage(n, &u);
	*cost = u.cost;
	return u.has_usage && !u.cost_unknown;
}

static int one_line(const struct blame_line *bl, void *data)
{
	struct blame_ctx *x = data;
	const struct ai_span *s = agent_of(x, bl);
	double cost = 0;
	int known = cost_of(x, bl->commit, &cost);

	if (!x->porcelain) {
		if (!s)
			strvec_push(&x->agent, "");
		else
			strvec_pushf(&x->agent, "%s%s%s", s->tool,
				     s->model ? " " : "",
				     s->model ? s->model : "");
		if (known)
			strvec_pushf(&x->cost, "$%.2f", cost);
		else
			strvec_push(&x->cost, "");
		return 0;
	}
	strbuf_add(x->out, x->buf + x->done, bl->text - x->done);
	x->done = bl->text;
	if (s) {
		strbuf_addf(x->out, "agent %s\n", s->tool);
		if (s->model)
			strbuf_addf(x->out, "agent-model %s\n", s->model);
	}
	if (bl->first && known)
		strbuf_addf(x->out, "tokens-cost %.4f\n", cost);
	return 0;
}

static int run_blame(const struct strvec *args, int porcelain,
		     struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int code;

	cp.git_cmd = 1;
	strvec_push(&cp.args, "blame");
	if (porcelain)
		strvec_push(&cp.args, "--porcelain");
	strvec_pushv(&cp.args, (const char **)args->v);
	code = capture_command(&cp, out);
	child_process_clear(&cp);
	return code;
}

static size_t widest(const struct strvec *v)
{
	size_t i, w = 0;

	for (i = 0; i < v->nr; i++)
		if (strlen(v->v[i]) > w)
			w = strlen(v->v[i]);
	return w;
}

/* git's own lines, each after the agent and cost columns (when any). */
static int add_columns(struct blame_ctx *x, const struct strvec *args)
{
	struct strbuf plain = STRBUF_INIT;
	size_t aw = widest(&x->agent), cw = widest(&x->cost), i = 0;
	const char *p, *nl;
	int code = run_blame(args, 0, &plain);

	for (p = plain.buf; !code && *p; p = nl + 1, i++) {
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p);
		if (i < x->agent.nr && aw)
			strbuf_addf(x->out, "%-*s ", (int)aw, x->agent.v[i]);
		if (i < x->cost.nr && cw)
			strbuf_addf(x->out, "%*s ", (int)cw, x->cost.v[i]);
		strbuf_add(x->out, p, nl - p);
		strbuf_addch(x->out, '\n');
		if (!*nl)
			break;
	}
	strbuf_release(&plain);
	return code;
}

int cmd_blame(int argc, const char **argv, struct repo *repo)
{
	struct blame_ctx x = { .agent = STRVEC_INIT, .cost = STRVEC_INIT,
			       .notes = NOTES_MAP_INIT };
	struct strvec args = STRVEC_INIT, ranges = STRVEC_INIT;
	struct option options[] = {
		OPT_BOOL(0, "porcelain", &x.porcelain,
			 "git blame's porcelain format, with the agent's "
			 "fields"),
		OPT_STRVEC('L', NULL, &ranges, "range",
			   "only these lines, as git blame -L takes them"),
		OPT_END()
	};
	struct strbuf porcelain = STRBUF_INIT, out = STRBUF_INIT;
	size_t k;
	int i, code;

	argc = parse_options(argc, argv, options, blame_usage,
			     PARSE_OPT_KEEP_DASHDASH);
	if (!argc || argc > 3 || (argc == 3 && strcmp(argv[1], "--")))
		usage_with_options(blame_usage, options, 1);
	for (k = 0; k < ranges.nr; k++)
		strvec_pushl(&args, "-L", ranges.v[k], NULL);
	/* <file> alone is a path even where it names a revision too. */
	if (argc == 1)
		strvec_push(&args, "--");
	for (i = 0; i < argc; i++)
		strvec_push(&args, argv[i]);
	code = run_blame(&args, 1, &porcelain);
	if (code)
		goto cleanup;
	if (ai_notes_open(&x.an, repo) < 0 ||
	    notes_read_all(repo, NULL, &x.notes) < 0) {
		code = EXIT_FATAL;
		goto cleanup;
	}
	x.buf = porcelain.buf;
	x.out = &out;
	if (blame_porcelain_each(porcelain.buf, porcelain.len, one_line,
				 &x) < 0) {
		code = EXIT_FATAL;
		goto cleanup;
	}
	if (x.porcelain)
		strbuf_add(&out, porcelain.buf + x.done,
			   porcelain.len - x.done);
	else
		code = add_columns(&x, &args);
	if (!code)
		fwrite(out.buf, 1, out.len, stdout);
cleanup:
	ai_notes_free(x.an);
	notes_map_release(&x.notes);
	strvec_clear(&x.agent);
	strvec_clear(&x.cost);
	strvec_clear(&args);
	strvec_clear(&ranges);
	strbuf_release(&porcelain);
	strbuf_release(&out);
	return code;
}
