/*
 * Unit tests for attribution_apply() over changes, events and notes
 * built in memory: the confidence order (hook > link > window > day),
 * each event counted once, pending usage, and agent-authored commits
 * credited to their human.
 */
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "engine/attribution.h"
#include "tap.h"

#define T0 1700000000LL   /* 2023-11-14T22:13:20Z */

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"
#define C4 "4444444444444444444444444444444444444444"
#define C5 "5555555555555555555555555555555555555555"

static struct change *add_change(struct change_set *set, const char *oid,
				 const char *email, int64_t t)
{
	struct change *c;

	ALLOC_GROW(set->c, set->nr + 1, set->alloc);
	c = &set->c[set->nr++];
	memset(c, 0, sizeof(*c));
	memcpy(c->oid, oid, 41);
	c->author_name = event_intern("someone");
	c->author_email = event_intern(email);
	c->author_time = c->commit_time = t;
	c->added = 10;
	return c;
}

static struct usage_event *add_event(struct usage_set *u, enum tool tool,
				     int64_t secs, const char *session,
				     const char *commit, const char *author)
{
	struct usage_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = secs * 1000;
	ev.tool = tool;
	ev.model = event_intern("m");
	ev.author = event_intern(author);
	snprintf(ev.session, sizeof(ev.session), "%s", session);
	snprintf(ev.commit, sizeof(ev.commit), "%s", commit ? commit : "");
	ev.input = 100;
	ev.output = 10;
	ev.cost = 0.25;
	ev.cost_known = 1;
	usage_set_add(u, &ev);
	return &u->ev[u->nr - 1];
}

static const char note_line[] =
	"{\"v\":1,\"tool\":\"claude-code\",\"model\":\"m\","
	"\"session\":\"aaaaaaaaaaaa\",\"from\":\"2023-11-14T22:13:20Z\","
	"\"to\":\"2023-11-14T22:14:10Z\",\"requests\":3,\"input\":10,"
	"\"output\":20,\"cache_write\":0,\"cache_read\":0,"
	"\"cost_usd\":0.5,\"how\":\"hook\"}";

int main(void)
{
	struct change_set set = CHANGE_SET_INIT;
	struct usage_set local = USAGE_SET_INIT, provider = USAGE_SET_INIT;
	struct notes_map notes = NOTES_MAP_INIT;
	struct strvec links = STRVEC_INIT;
	struct attribution_ident ident = { NULL, "bob@x" };
	struct attribution_commit agent = { C4, T0 + 400, "noreply@agent" };
	const char *held[] = { "9999999" };
	struct attribution_input in = { .notes = &notes };
	struct usage_pending pending;
	struct change *c1, *c2, *c3, *c4, *c5;

	c1 = add_change(&set, C1, "alice@x", T0 + 100);
	c2 = add_change(&set, C2, "alice@x", T0 + 1000);
	c3 = add_change(&set, C3, "bob@x", T0 + 300);
	c4 = add_change(&set, C4, "carol@x", T0 + 400);
	c4->agent = "claude";
	c4->agent_author = 1;
	c5 = add_change(&set, C5, "alice@x", T0 + 2000);

	/* C1's note (hook) holds session aaaaaaaaaaaa from T0 to T0+50. */
	notes.notes = xcalloc(1, sizeof(*notes.notes));
	notes.nr = notes.alloc = 1;
	memcpy(notes.notes[0].commit, C1, 41);
	note_add_raw(&notes.notes[0], note_line, strlen(note_line));

	/* held by the note, though it names C2: not again by link */
	add_event(&local, TOOL_CLAUDE, T0 + 20, "aaaaaaaaaaaa", "2222222",
		  NULL);
	/* before C1, which has a note: hook beats window */
	add_event(&local, TOOL_CLAUDE, T0 + 60, "bbbbbbbbbbbb", NULL, NULL);
	/* names C2: link */
	add_event(&local, TOOL_CLAUDE, T0 + 900, "bbbbbbbbbbbb", "2222222",
		  NULL);
	/* before C5: window */
	add_event(&local, TOOL_CLAUDE, T0 + 1500, "bbbbbbbbbbbb", NULL, NULL);
	/* carol's, before the agent's commit C4: credited to carol */
	add_event(&local, TOOL_CLAUDE, T0 + 350, "cccccccccccc", NULL,
		  "carol@x");
	/* after the local user's last commit: pending */
	add_event(&local, TOOL_CLAUDE, T0 + 5000, "bbbbbbbbbbbb", NULL, NULL);
	/* names a commit out of the range that the repository holds */
	add_event(&local, TOOL_CLAUDE, T0 + 30, "dddddddddddd", "9999999",
		  NULL);
	/* provider usage of bob under an old address: day */
	add_event(&provider, TOOL_ANTHROPIC_API, T0 + 600, "", NULL,
		  "robert@old");
	ident.author = event_intern("robert@old");

	in.local = &local;
	in.provider = &provider;
	in.user_email = "Alice@X";
	in.idents = &ident;
	in.idents_nr = 1;

	attribution_links(&set, &in, &links);
	is_int(links.nr, 1, "one link names a commit out of the range");
	is_str(links.nr ? links.v[0] : NULL, "9999999", "the one named");
	in.held = held;
	in.held_nr = 1;
	is_int(attribution_window_from(&set, &in), (T0 + 60) * 1000,
	       "windows start at the earliest event left to them");
	in.commits = &agent;
	in.commits_nr = 1;

	attribution_apply(&set, &in, &pending);

	is_int(c1->usage.how, ATTRIB_HOOK, "C1: hook");
	is_int(c1->usage.requests, 3, "C1: the note's requests only");
	is_int(c2->usage.how, ATTRIB_LINK, "C2: link");
	is_int(c2->usage.requests, 1,
	       "C2: the event a note holds is not counted again");
	is_int(c5->usage.how, ATTRIB_WINDOW, "C5: window");
	is_int(c5->usage.requests, 1, "C5: one event");
	is_int(c4->usage.how, ATTRIB_WINDOW,
	       "C4: the agent's commit has its human's window");
	is_int(c4->usage.requests, 1, "C4: one event");
	is_int(c3->usage.how, ATTRIB_DAY, "C3: day, through the mailmap");
	is_int(c3->usage.input, 100, "C3: the whole day's input");
	ok(pending.present, "pending usage was looked for");
	is_int(pending.events, 1, "one pending event");
	is_int(pending.tokens, 110, "its tokens");
	is_str(pending.email, "alice@x", "the local user's");

	notes_map_release(&notes);
	strvec_clear(&links);
	usage_set_release(&local);
	usage_set_release(&provider);
	change_set_release(&set);
	return done_testing();
}
