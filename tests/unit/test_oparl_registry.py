"""The OParl registry (shared.oparl.reconcile): created/modified for every object, changes
and vanished objects noticed, date-times in whole seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from knotenpunkt.shared.oparl import OPARL, reconcile, stamp

ROOT = "https://rats.example.org/oparl/v1/chemnitz"
T0 = datetime(2026, 3, 1, 9, 0, 0, 250_000, tzinfo=UTC)


def _item(order: int, name: str = "Bericht", **extra) -> dict:
    return {
        "id": f"{ROOT}/agendaitem/e1/{order}",
        "type": OPARL + "AgendaItem",
        "order": order,
        "name": name,
        **extra,
    }


def _apply(objects, known, now):
    out, changed = reconcile(objects, known, ROOT, now)
    rows = {r["key"]: r for r in known}
    rows.update({r["key"]: r for r in changed})
    return out, changed, list(rows.values())


def test_stamp_is_whole_seconds_rounded_up_with_offset():
    assert stamp(T0) == "2026-03-01T09:00:01+00:00"
    assert stamp(T0.replace(microsecond=0)) == "2026-03-01T09:00:00+00:00"
    assert stamp("2026-03-01T10:00:00.5+01:00") == "2026-03-01T10:00:01+01:00"
    assert stamp(None) is None


def test_first_seen_changed_and_vanished():
    system = {"id": f"{ROOT}/system", "type": OPARL + "System", "body": f"{ROOT}/body"}
    own = _item(1, created=stamp(T0), modified=stamp(T0))
    out, changed, rows = _apply({"system": [system], "agendaitem": [own]}, [], T0 + timedelta(1))
    # without moments of its own: first seen now; with them: its own
    assert out["system"][0]["created"] == stamp(T0 + timedelta(1))
    # (modified: first seen now, whatever its data says: no client can have had it)
    assert out["agendaitem"][0]["created"] == stamp(T0)
    assert out["agendaitem"][0]["modified"] == stamp(T0 + timedelta(1))
    assert {r["key"] for r in changed} == {"system", "agendaitem/e1/1"}
    # the same content again: nothing written, the same moments
    later = T0 + timedelta(2)
    again, changed, rows = _apply({"system": [system], "agendaitem": [_item(1)]}, rows, later)
    assert changed == [] and again["agendaitem"][0]["modified"] == stamp(T0 + timedelta(1))
    # renamed: modified now, created kept (also where the object is embedded)
    meeting = {
        "id": f"{ROOT}/meeting/e1",
        "type": OPARL + "Meeting",
        "agendaItem": [_item(1, "Neu")],
    }
    out, changed, rows = _apply(
        {"agendaitem": [_item(1, "Neu")], "meeting": [meeting]}, rows, later
    )
    assert out["agendaitem"][0]["modified"] == stamp(later)
    assert out["meeting"][0]["agendaItem"][0]["modified"] == stamp(later)
    assert out["agendaitem"][0]["created"] == stamp(T0)
    # gone: deleted, with what the schema requires, in its own list
    gone_at = T0 + timedelta(3)
    out, changed, rows = _apply({"agendaitem": [], "meeting": []}, rows, gone_at)
    assert out["agendaitem"] == [
        {
            "id": f"{ROOT}/agendaitem/e1/1",
            "type": OPARL + "AgendaItem",
            "order": 1,
            "created": stamp(T0),
            "modified": stamp(gone_at),
            "deleted": True,
        }
    ]
    assert out["meeting"][0]["deleted"] is True
    # still gone: nothing written again; back: not deleted, modified then
    _, changed, rows = _apply({"agendaitem": [], "meeting": []}, rows, gone_at + timedelta(1))
    assert changed == []
    back = gone_at + timedelta(2)
    out, changed, rows = _apply({"agendaitem": [_item(1)], "meeting": []}, rows, back)
    assert "deleted" not in out["agendaitem"][0]
    assert out["agendaitem"][0]["modified"] == stamp(back)


def test_the_digest_does_not_depend_on_the_base_of_the_ids():
    obj = {
        "id": f"{ROOT}/body/chemnitz",
        "type": OPARL + "Body",
        "name": "N",
        "paper": f"{ROOT}/paper",
    }
    _, _, rows = _apply({"body": [obj]}, [], T0)
    other = "http://localhost:8080/oparl/v1/chemnitz"
    moved = {k: v.replace(ROOT, other) for k, v in obj.items()}
    out, changed = reconcile({"body": [moved]}, rows, other, T0 + timedelta(1))
    assert changed == [] and out["body"][0]["modified"] == stamp(T0)  # first seen at T0
