-- Load "git tokens export" into PostgreSQL (10 or newer).
--
--   git tokens export -o changes.jsonl
--   psql -v ON_ERROR_STOP=1 -d <database> -f postgres.sql <changes.jsonl
--
-- The export is JSON Lines, one change a line, every line tagged
-- "schema":"git-tokens/export/v1" (see git-tokens(1), EXPORT). Each line
-- is read whole into a jsonb staging column -- CSV mode with a quote and
-- a delimiter byte that JSON never holds raw, so backslashes and quotes
-- reach the JSON parser untouched -- then typed into git_tokens_changes.
-- Loading again replaces the rows of the commits it holds, so a newer
-- export of the same range updates outcomes (landed, surviving, review).
-- The whole line is kept in "doc" too: fields added to v1 later are not
-- lost before this table grows a column for them.

BEGIN;

CREATE TABLE IF NOT EXISTS git_tokens_changes (
	commit              text PRIMARY KEY,
	author_name         text,
	author_email        text,
	committer_name      text,
	committer_email     text,
	author_date         timestamptz NOT NULL,
	commit_date         timestamptz NOT NULL,
	subject             text,
	mainline            text,
	lines_added         bigint NOT NULL,
	lines_deleted       bigint NOT NULL,
	lines_excluded      bigint NOT NULL,
	landed              boolean NOT NULL,
	landed_how          text NOT NULL,      -- yes, patch-id, squash, no
	landed_as           text,
	abandoned           boolean NOT NULL,
	reverted            boolean NOT NULL,
	reverts             text,
	fixup               boolean NOT NULL,
	squashed_into       text,
	agent               text,
	has_usage           boolean NOT NULL,
	tool                text,
	model               text,
	confidence          text,               -- hook, link, window, day, import
	requests            bigint,             -- usage counters: NULL = no usage
	input_tokens        bigint,
	output_tokens       bigint,
	cache_write_tokens  bigint,
	cache_read_tokens   bigint,
	tokens              bigint,
	cost_usd            numeric(14, 6),     -- NULL = unknown, never 0
	surviving           bigint,             -- NULL = not known
	reworked            bigint,
	review              text,               -- NULL = no review source
	review_source       text,
	review_rounds       integer,
	review_hours        double precision,
	priced              boolean,            -- enters lines/$ and $/landed
	assisted            boolean,            -- usage or an AI marker
	doc                 jsonb NOT NULL,     -- the export line as it came
	loaded_at           timestamptz NOT NULL DEFAULT now()
);
-- A table made by an older postgres.sql gains the newer columns.
ALTER TABLE git_tokens_changes
	ADD COLUMN IF NOT EXISTS priced boolean,
	ADD COLUMN IF NOT EXISTS assisted boolean;

CREATE TEMPORARY TABLE git_tokens_export_staging (doc jsonb NOT NULL)
	ON COMMIT DROP;

-- pstdin is psql's standard input (the redirected file), even under -f.
-- To read a file by name instead: ... FROM 'changes.jsonl' WITH (...).
\copy git_tokens_export_staging (doc) FROM pstdin WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')

DELETE FROM git_tokens_changes
	WHERE commit IN (SELECT doc->>'commit' FROM git_tokens_export_staging);

INSERT INTO git_tokens_changes (
	commit, author_name, author_email, committer_name, committer_email,
	author_date, commit_date, subject, mainline,
	lines_added, lines_deleted, lines_excluded,
	landed, landed_how, landed_as, abandoned, reverted, reverts,
	fixup, squashed_into, agent, has_usage, tool, model, confidence,
	requests, input_tokens, output_tokens, cache_write_tokens,
	cache_read_tokens, tokens, cost_usd,
	surviving, reworked, review, review_source, review_rounds,
	review_hours, priced, assisted, doc)
SELECT DISTINCT ON (doc->>'commit')
	doc->>'commit',
	doc->>'author_name',
	doc->>'author_email',
	doc->>'committer_name',
	doc->>'committer_email',
	(doc->>'author_date')::timestamptz,
	(doc->>'commit_date')::timestamptz,
	doc->>'subject',
	doc->>'mainline',
	(doc->>'lines_added')::bigint,
	(doc->>'lines_deleted')::bigint,
	(doc->>'lines_excluded')::bigint,
	(doc->>'landed')::boolean,
	doc->>'landed_how',
	doc->>'landed_as',
	(doc->>'abandoned')::boolean,
	(doc->>'reverted')::boolean,
	doc->>'reverts',
	(doc->>'fixup')::boolean,
	doc->>'squashed_into',
	doc->>'agent',
	(doc->>'has_usage')::boolean,
	doc->>'tool',
	doc->>'model',
	doc->>'confidence',
	(doc->>'requests')::bigint,
	(doc->>'input_tokens')::bigint,
	(doc->>'output_tokens')::bigint,
	(doc->>'cache_write_tokens')::bigint,
	(doc->>'cache_read_tokens')::bigint,
	(doc->>'tokens')::bigint,
	(doc->>'cost_usd')::numeric,
	(doc->>'surviving')::bigint,
	(doc->>'reworked')::bigint,
	doc->>'review',
	doc->>'review_source',
	(doc->>'review_rounds')::integer,
	(doc->>'review_hours')::double precision,
	(doc->>'priced')::boolean,
	(doc->>'assisted')::boolean,
	doc
FROM git_tokens_export_staging
WHERE doc->>'schema' = 'git-tokens/export/v1'
ORDER BY doc->>'commit';

COMMIT;
