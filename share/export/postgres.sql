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
-- Loading again replaces the rows of the commits it holds (a commit is
-- one row per repository), so a newer export of the same range updates
-- outcomes (landed, surviving, review). Load each repository's export
-- the same way; the views at the end report over all of them.
-- The whole line is kept in "doc" too: fields added to v1 later are not
-- lost before this table grows a column for them.

BEGIN;

CREATE TABLE IF NOT EXISTS git_tokens_changes (
	repository          text NOT NULL DEFAULT '',
	commit              text NOT NULL,
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
	agent_tool          text,
	bot                 boolean,            -- an automation account
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
	loaded_at           timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (repository, commit)
);
-- A table made by an older postgres.sql gains the newer columns, and
-- its key the repository: one commit may be in a fork and its origin.
ALTER TABLE git_tokens_changes
	ADD COLUMN IF NOT EXISTS priced boolean,
	ADD COLUMN IF NOT EXISTS assisted boolean,
	ADD COLUMN IF NOT EXISTS repository text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS agent_tool text,
	ADD COLUMN IF NOT EXISTS bot boolean;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM information_schema.key_column_usage
		WHERE table_name = 'git_tokens_changes'
		AND constraint_name = 'git_tokens_changes_pkey'
		AND column_name = 'repository') THEN
		ALTER TABLE git_tokens_changes
			DROP CONSTRAINT git_tokens_changes_pkey;
		ALTER TABLE git_tokens_changes
			ADD PRIMARY KEY (repository, commit);
	END IF;
END $$;

CREATE TEMPORARY TABLE git_tokens_export_staging (doc jsonb NOT NULL)
	ON COMMIT DROP;

-- pstdin is psql's standard input (the redirected file), even under -f.
-- To read a file by name instead: ... FROM 'changes.jsonl' WITH (...).
\copy git_tokens_export_staging (doc) FROM pstdin WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')

DELETE FROM git_tokens_changes
	WHERE (repository, commit) IN
		(SELECT coalesce(doc->>'repository', ''), doc->>'commit'
		 FROM git_tokens_export_staging);

INSERT INTO git_tokens_changes (
	repository, commit, author_name, author_email, committer_name, committer_email,
	author_date, commit_date, subject, mainline,
	lines_added, lines_deleted, lines_excluded,
	landed, landed_how, landed_as, abandoned, reverted, reverts,
	fixup, squashed_into, agent, agent_tool, bot, has_usage, tool, model, confidence,
	requests, input_tokens, output_tokens, cache_write_tokens,
	cache_read_tokens, tokens, cost_usd,
	surviving, reworked, review, review_source, review_rounds,
	review_hours, priced, assisted, doc)
SELECT DISTINCT ON (coalesce(doc->>'repository', ''), doc->>'commit')
	coalesce(doc->>'repository', ''),
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
	doc->>'agent_tool',
	(doc->>'bot')::boolean,
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
ORDER BY coalesce(doc->>'repository', ''), doc->>'commit';

-- The report over every loaded repository, as "git tokens report --from
-- <every export>" computes it (git-tokens(1), THE REPORT): one row per
-- author ("Name <email>", "bots" for automation accounts) in
-- git_tokens_author_report, one per repository in git_tokens_report
-- WHERE by_key = 'repo', each column of the JSON report under its JSON
-- name. The
-- export holds no pending usage (it is the local user's), so unlanded
-- is that of the changes. Shares are fractions (0.25, not 25%); a value
-- that cannot be known is NULL, never 0; flags is an array, as in JSON.
CREATE OR REPLACE VIEW git_tokens_report_keys AS
	SELECT 'author' AS by_key,
		CASE WHEN coalesce(bot, false) THEN 'bots'
		ELSE coalesce(author_name, '') || ' <' ||
			coalesce(author_email, '') || '>' END AS key,
		c.*,
		surviving IS NOT NULL AND reworked IS NOT NULL AS survival_known
	FROM git_tokens_changes c
	UNION ALL
	SELECT 'repo', repository, c.*,
		surviving IS NOT NULL AND reworked IS NOT NULL
	FROM git_tokens_changes c;

CREATE OR REPLACE VIEW git_tokens_report_sums AS
	SELECT by_key, key,
		count(*) AS changes,
		count(*) FILTER (WHERE landed) AS landed,
		coalesce(sum(lines_added) FILTER (WHERE landed), 0) AS lines_added,
		coalesce(sum(lines_deleted) FILTER (WHERE landed), 0)
			AS lines_deleted,
		sum(surviving) FILTER (WHERE landed AND survival_known)
			AS surviving,
		coalesce(sum(surviving) FILTER (WHERE landed AND survival_known
			AND assisted), 0) AS surviving_assisted,
		coalesce(sum(reworked) FILTER (WHERE landed AND survival_known),
			0) AS reworked,
		coalesce(sum(lines_added) FILTER (WHERE landed AND survival_known),
			0) AS lines_known,
		count(*) FILTER (WHERE landed AND review IS NOT NULL
			AND review_source <> 'trailer')
			AS review_known,
		count(*) FILTER (WHERE landed AND review = 'approved'
			AND review_source <> 'trailer')
			AS review_first_pass,
		sum(tokens) FILTER (WHERE has_usage) AS tokens,
		sum(output_tokens) FILTER (WHERE has_usage) AS output_tokens,
		sum(cost_usd) FILTER (WHERE priced) AS cost_usd,
		sum(surviving) FILTER (WHERE landed AND survival_known
			AND priced) AS surviving_priced,
		count(*) FILTER (WHERE landed AND priced) AS landed_priced,
		count(*) FILTER (WHERE landed AND NOT priced AND assisted)
			AS landed_cost_unknown,
		coalesce(sum(cost_usd) FILTER (WHERE priced AND NOT landed), 0)
			AS cost_unlanded,
		count(*) FILTER (WHERE has_usage) AS with_usage,
		count(*) FILTER (WHERE agent IS NOT NULL) AS with_agent,
		count(*) FILTER (WHERE NOT has_usage AND agent IS NOT NULL)
			AS assisted_unknown,
		count(*) FILTER (WHERE coalesce(bot, false)) AS bots
	FROM git_tokens_report_keys
	GROUP BY by_key, key;

CREATE OR REPLACE VIEW git_tokens_report_values AS
	SELECT s.*,
		CASE WHEN surviving > 0
			THEN surviving_assisted::double precision / surviving
			END AS assisted_share,
		CASE WHEN surviving IS NOT NULL AND lines_known > 0
			THEN reworked::double precision / lines_known
			END AS rework,
		CASE WHEN review_known > 0
			THEN review_first_pass::double precision / review_known
			END AS reviewed,
		CASE WHEN surviving_priced IS NOT NULL AND cost_usd > 0
			THEN surviving_priced / cost_usd::double precision
			END AS lines_per_usd,
		CASE WHEN landed_priced > 0
			THEN cost_usd::double precision / landed_priced
			END AS usd_per_landed,
		CASE WHEN landed_cost_unknown = 0 AND cost_usd > 0
			THEN cost_unlanded::double precision / cost_usd
			END AS unlanded
	FROM git_tokens_report_sums s;

-- burn compares a row with the median of its kind's rows.
CREATE OR REPLACE VIEW git_tokens_report AS
	SELECT v.by_key, v.key, v.changes, v.landed, v.lines_added,
		v.lines_deleted, v.surviving, v.assisted_share, v.rework,
		v.reviewed, v.tokens, v.output_tokens, v.cost_usd,
		CASE WHEN v.surviving IS NOT NULL
			THEN coalesce(v.surviving_priced, 0) END
			AS surviving_priced,
		v.landed_priced, v.lines_per_usd, v.usd_per_landed, v.unlanded,
		array_remove(ARRAY[
			CASE WHEN v.changes > v.bots AND v.with_usage = 0
				AND v.with_agent = 0 THEN 'no-ai' END,
			CASE WHEN v.cost_usd > m.median_cost AND
				(v.unlanded > 0.5 OR v.lines_per_usd <
				 0.25 * m.median_lines_per_usd) THEN 'burn' END,
			CASE WHEN v.rework > 0.30 THEN 'rework' END,
			CASE WHEN v.assisted_unknown > 0.25 * v.changes
				THEN 'unknown' END], NULL) AS flags
	FROM git_tokens_report_values v
	JOIN (SELECT by_key,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY cost_usd)
			AS median_cost,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY lines_per_usd)
			AS median_lines_per_usd
		FROM git_tokens_report_values GROUP BY by_key) m
	USING (by_key);

CREATE OR REPLACE VIEW git_tokens_author_report AS
	SELECT key AS author, changes, landed, lines_added, lines_deleted,
		surviving, assisted_share, rework, reviewed, tokens,
		output_tokens, cost_usd, surviving_priced, landed_priced,
		lines_per_usd, usd_per_landed, unlanded, flags
	FROM git_tokens_report WHERE by_key = 'author';

COMMIT;
