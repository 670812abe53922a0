-- Papers of references become whole papers again (the form before this migration): each
-- item's content with the options in the candidate's order and the answer in the
-- candidate's keys, as src/exams/rules/stored.rs `ItemContent::item` builds it.
-- A reference whose content is missing would lose an item: refuse.
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM attempts a, jsonb_array_elements(a.paper::jsonb -> 'items') r(item)
        WHERE a.paper LIKE '{%'
          AND NOT EXISTS (SELECT 1 FROM paper_items p WHERE p.hash = r.item ->> 'c')
    ) THEN
        RAISE EXCEPTION 'a stored paper refers to an item content that is missing';
    END IF;
END $$;

UPDATE attempts SET paper = whole.paper
FROM (
    SELECT a.id, jsonb_agg(jsonb_build_object(
        'question_id', c -> 'question_id',
        'qtype', c -> 'qtype',
        'area', c -> 'area',
        'group_id', c -> 'group_id',
        'case_text', c -> 'case_text',
        'stem', c -> 'stem',
        'options', CASE WHEN c ->> 'qtype' = 'TF'
            THEN '[{"key":"T","text":"正确"},{"key":"F","text":"错误"}]'::jsonb
            ELSE (
                SELECT COALESCE(jsonb_agg(jsonb_build_object(
                    'key', chr(64 + o.n::int),
                    'text', c -> 'options' -> (o.v::int)
                ) ORDER BY o.n), '[]'::jsonb)
                FROM jsonb_array_elements_text(COALESCE(r.item -> 'o', '[]'::jsonb))
                    WITH ORDINALITY o(v, n)
            ) END,
        'answer', CASE WHEN c ->> 'qtype' = 'TF'
            THEN c -> 'answer'
            ELSE to_jsonb((
                SELECT COALESCE(string_agg(chr(64 + o.n::int), '' ORDER BY o.n), '')
                FROM jsonb_array_elements_text(COALESCE(r.item -> 'o', '[]'::jsonb))
                    WITH ORDINALITY o(v, n)
                WHERE position(chr(65 + o.v::int) IN c ->> 'answer') > 0
            )) END,
        'explanation', c -> 'explanation',
        'points', r.item -> 'p',
        'line', r.item -> 'l'
    ) ORDER BY r.n)::text AS paper
    FROM attempts a
    CROSS JOIN LATERAL jsonb_array_elements(a.paper::jsonb -> 'items') WITH ORDINALITY r(item, n)
    JOIN paper_items p ON p.hash = r.item ->> 'c'
    CROSS JOIN LATERAL (SELECT p.body::jsonb AS c) content
    WHERE a.paper LIKE '{%'
    GROUP BY a.id
) whole
WHERE attempts.id = whole.id;

DROP TABLE paper_items;
