/* What the readers of agents' line-level notes share (see ai-note.h). */
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "model/ai-note.h"

struct ai_file *ai_note_add_file(struct ai_note *n, const char *path,
				 size_t len)
{
	struct ai_file *f;

	ALLOC_GROW(n->f, n->nr + 1, n->alloc);
	f = &n->f[n->nr++];
	memset(f, 0, sizeof(*f));
	f->path = xstrndup(path, len);
	return f;
}

void ai_file_add(struct ai_file *f, uint32_t from, uint32_t to,
		 const struct ai_span *who)
{
	struct ai_span *s;

	ALLOC_GROW(f->s, f->nr + 1, f->alloc);
	s = &f->s[f->nr++];
	*s = *who;
	s->from = from;
	s->to = to;
}

uint64_t ai_note_agent_lines(const struct ai_note *n)
{
	uint64_t sum = 0;
	size_t i, k;

	for (i = 0; i < n->nr; i++)
		for (k = 0; k < n->f[i].nr; k++)
			if (n->f[i].s[k].tool && !n->f[i].added)
				sum += n->f[i].s[k].to - n->f[i].s[k].from + 1;
	return sum;
}

const struct ai_span *ai_note_agent(const struct ai_note *n)
{
	size_t i, k;

	if (n->agent.tool)
		return &n->agent;
	for (i = 0; i < n->nr; i++)
		for (k = 0; k < n->f[i].nr; k++)
			if (n->f[i].s[k].tool)
				return &n->f[i].s[k];
	return NULL;
}

const struct ai_span *ai_note_find(const struct ai_note *n, const char *path,
				   uint32_t line)
{
	size_t i, k;

	for (i = 0; i < n->nr; i++) {
		const struct ai_file *f = &n->f[i];

		if (f->added || strcmp(f->path, path))
			continue;
		for (k = 0; k < f->nr; k++)
			if (f->s[k].from <= line && line <= f->s[k].to)
				return &f->s[k];
	}
	return NULL;
}

void ai_note_release(struct ai_note *n)
{
	size_t i;

	for (i = 0; i < n->nr; i++) {
		free(n->f[i].path);
		free(n->f[i].s);
	}
	free(n->f);
	memset(n, 0, sizeof(*n));
}
