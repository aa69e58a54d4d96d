"""The decision log's append builds each record's hashed text before it locks the chain head: the text it finishes
under the lock is exactly the canonical JSON the verifier hashes; the JSON columns store that same text when it is
ASCII, and what SQLAlchemy's JSON type writes otherwise."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adjudication.chain import FORMAT_2_FIELDS, canonical_json
from api.decision_log import _hashed_text, _json_text

values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                          st.sampled_from(["seq", "a", "zz", "é", '"q"']), inner, max_size=3), max_leaves=12)


@given(st.fixed_dictionaries({name: values for name in FORMAT_2_FIELDS if name != "seq"}),
       st.integers(min_value=1, max_value=10**12))
def test_the_text_cut_at_seq_is_the_canonical_json_once_seq_is_written_in(content: dict[str, Any], seq: int):
    before, after, encoded = _hashed_text({**content, "seq": 0})
    assert before + str(seq) + after == canonical_json({**content, "seq": seq})
    assert encoded == {name: canonical_json(value) for name, value in content.items()}
    for name, value in content.items():
        stored = _json_text(value, encoded[name])
        assert json.loads(stored) == value  # what a JSON column reads back
        assert stored == (encoded[name] if encoded[name].isascii() else json.dumps(value))


def test_seq_first_or_last_of_the_keys():
    for content in ({"seq": 0}, {"a": 1, "seq": 0}, {"seq": 0, "z": [1]}):
        before, after, _ = _hashed_text(content)
        assert before + "7" + after == canonical_json({**content, "seq": 7})
