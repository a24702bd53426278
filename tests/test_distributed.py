"""Ray Data runner on a local Ray: every row comes out once, scored as the local loop scores it."""
import pytest
import ray
from conftest import read_jsonl, write_jsonl
from test_batch import archive_rows, write_input  # noqa: F401 (archive_rows is a fixture)

import scorer
from scorer.batch import SCORE_COLUMNS, score_file
from scorer.cli import main


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def read_parts(folder):
    return [row for part in sorted(folder.glob("*.jsonl")) for row in read_jsonl(part)]


def assert_same_scores(ray_rows, local_rows):
    by_id = {r["id"]: r for r in local_rows}
    assert sorted(r["id"] for r in ray_rows) == sorted(by_id)
    for row in ray_rows:
        local = by_id[row["id"]]
        assert {k: row.get(k) for k in SCORE_COLUMNS} == {k: local.get(k) for k in SCORE_COLUMNS}
        assert row["team"] == local["team"]


def test_jsonl_rows_are_scored_or_rejected_exactly_once(tmp_path, tfidf_model, archive_rows, capsys):
    good, bad = archive_rows
    src = write_jsonl(tmp_path / "archive.jsonl", good[:5] + bad + good[5:])
    with src.open("ab") as fh:
        fh.write(b"\n{oops\n\xff\xfe\n")  # a blank line (skipped), broken JSON, broken UTF-8
    out = tmp_path / "ray-out"
    assert main(["score", str(src), "-o", str(out), "--engine", "ray", "--model", str(tfidf_model),
                 "--batch-size", "4", "--ray-actors", "2"]) == 0
    n_in = len(good) + len(bad) + 2
    assert f"rows in {n_in} = scored {len(good)} + rejected {len(bad) + 2}" in capsys.readouterr().out
    local = score_file(scorer.load(tfidf_model), src, tmp_path / "local.jsonl", archive_signals=False)
    assert_same_scores(read_parts(out / "scored"), read_jsonl(local.output))
    rejects = read_parts(out / "rejects")
    first_broken = len(good) + len(bad) + 2  # line numbers in the file, after the blank line
    assert sorted(r["row"] for r in rejects) == [6, 7, 8, 9, first_broken, first_broken + 1]
    assert sorted(r["reason"] for r in rejects) == sorted(r["reason"] for r in read_jsonl(local.rejects))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tables_score_as_the_local_loop(tmp_path, tfidf_model, archive_rows, suffix):
    from scorer.distributed import score_with_ray

    good, bad = archive_rows
    src = tmp_path / f"archive{suffix}"
    write_input(src, good + bad)
    summary = score_with_ray(src, tmp_path / "out", tfidf_model, batch_size=3)
    assert (summary.rows_in, summary.scored, summary.rejected) == (len(good) + len(bad), len(good), len(bad))
    local = score_file(scorer.load(tfidf_model), src, tmp_path / "local.jsonl", archive_signals=False)
    assert_same_scores(read_parts(summary.output), read_jsonl(local.output))
    assert sorted(r["reason"] for r in read_parts(summary.rejects)) == sorted(
        r["reason"] for r in read_jsonl(local.rejects))


def test_folder_of_parts_on_two_actors(tmp_path, tfidf_model, archive_rows):
    from scorer.distributed import score_with_ray

    good, bad = archive_rows
    folder = tmp_path / "archive"
    folder.mkdir()
    write_jsonl(folder / "part-1.jsonl", good[:6] + bad[:1])
    write_jsonl(folder / "part-2.jsonl", bad[1:] + good[6:])
    summary = score_with_ray(folder, tmp_path / "out", tfidf_model, batch_size=2, actors=2)
    assert summary.reconciliation() == f"rows in {len(good) + len(bad)} = scored {len(good)} + rejected {len(bad)}"
    assert sorted(r["id"] for r in read_parts(summary.output)) == sorted(r["id"] for r in good)
    places = sorted((r["file"].rsplit("/", 1)[-1], r["row"]) for r in read_parts(summary.rejects))
    assert places == [("part-1.jsonl", 7)] + [("part-2.jsonl", n) for n in range(1, len(bad))]
