-- Papers of references become whole papers again (the form before this migration): each
-- item's content with the options in the candidate's order and the answer in the
-- candidate's keys, as src/exams/rules/stored.rs `ItemContent::item` builds it.
-- A reference whose content is missing would lose an item: refuse (the CHECK fails).
CREATE TEMP TABLE paper_items_guard (missing_contents INTEGER CHECK (missing_contents = 0));
INSERT INTO paper_items_guard
SELECT COUNT(*) FROM attempts a, json_each(a.paper, '$.items') r
WHERE a.paper LIKE '{%'
  AND NOT EXISTS (SELECT 1 FROM paper_items p WHERE p.hash = json_extract(r.value, '$.c'));
DROP TABLE paper_items_guard;

UPDATE attempts SET paper = (
    SELECT json_group_array(json(x.item) ORDER BY x.n) FROM (
        SELECT r.key AS n, json_object(
            'question_id', json_extract(p.body, '$.question_id'),
            'qtype', json_extract(p.body, '$.qtype'),
            'area', json_extract(p.body, '$.area'),
            'group_id', json_extract(p.body, '$.group_id'),
            'case_text', json_extract(p.body, '$.case_text'),
            'stem', json_extract(p.body, '$.stem'),
            'options', CASE WHEN json_extract(p.body, '$.qtype') = 'TF'
                THEN json('[{"key":"T","text":"正确"},{"key":"F","text":"错误"}]')
                ELSE json((
                    SELECT json_group_array(json_object(
                        'key', char(65 + o.key),
                        'text', json_extract(p.body, '$.options[' || o.value || ']')
                    ) ORDER BY o.key)
                    FROM json_each(r.value, '$.o') o
                )) END,
            'answer', CASE WHEN json_extract(p.body, '$.qtype') = 'TF'
                THEN json_extract(p.body, '$.answer')
                ELSE (
                    SELECT COALESCE(group_concat(char(65 + o.key), '' ORDER BY o.key), '')
                    FROM json_each(r.value, '$.o') o
                    WHERE instr(json_extract(p.body, '$.answer'), char(65 + o.value)) > 0
                ) END,
            'explanation', json_extract(p.body, '$.explanation'),
            'points', json_extract(r.value, '$.p'),
            'line', json_extract(r.value, '$.l')
        ) AS item
        FROM json_each(attempts.paper, '$.items') r
        JOIN paper_items p ON p.hash = json_extract(r.value, '$.c')
    ) x
)
WHERE paper LIKE '{%';

DROP TABLE paper_items;
