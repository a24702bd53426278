"""Kill a real `attestscore score` run with SIGKILL, rerun the same command, and compare with an
uninterrupted run: every input row exactly once, in order, rejects identical."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, ROOT, read_jsonl

from scorer.batch import checkpoint_path

N_ROWS = 1200
BAD_JSON_LINES = len(range(11, N_ROWS, 400))


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    """Corpus texts repeated under unique ids, with bad rows and repeated ids spread through."""
    docs = read_jsonl(CORPUS / "dev.jsonl")
    out = []
    for i in range(N_ROWS):
        d = docs[i % len(docs)]
        row = {"id": f"{d['id']}-{i}", "kind": d["kind"], "text": d["text"], "attest_type": d["attest_type"],
               "team": d["meta"]["team"]}
        if i % 97 == 5:
            row["text"] = "  "
        if i % 131 == 7:
            row["kind"] = "brev"
        if i % 113 == 9:
            row["id"] = out[i - 3]["id"]
        out.append(row)
    return out


def write_input(path: Path, rows: list[dict]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=["id", "kind", "text", "attest_type", "team"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        with path.open("w", encoding="utf-8") as fh:
            for i, row in enumerate(rows):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                if i % 400 == 11:
                    fh.write("{not json\n")
    return path


def command(src: Path, out: Path, model: Path, batch_size: int) -> list[str]:
    return [sys.executable, "-m", "scorer.cli", "score", str(src), "-o", str(out), "--model", str(model),
            "--batch-size", str(batch_size)]


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True)


def kill_when(cmd: list[str], ready) -> None:
    """Start ``cmd`` and SIGKILL it as soon as ``ready()`` holds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not ready():
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def read_output(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return read_jsonl(path)


def checkpoint_rows(out: Path) -> int:
    try:
        return json.loads(checkpoint_path(out).read_text())["rows_in"]
    except (OSError, ValueError):
        return 0


@pytest.mark.parametrize("in_ext, out_ext", [(".jsonl", ".jsonl"), (".csv", ".parquet")])
def test_kill_and_resume_matches_uninterrupted_run(tmp_path, tfidf_model, rows, in_ext, out_ext):
    src = write_input(tmp_path / f"archive{in_ext}", rows)
    reference = tmp_path / "ref" / f"scored{out_ext}"
    ref_run = run(command(src, reference, tfidf_model, 16))

    out = tmp_path / "run" / f"scored{out_ext}"
    cmd = command(src, out, tfidf_model, 16)
    kill_when(cmd, lambda: checkpoint_rows(out) >= N_ROWS // 4)
    assert not out.exists() and not out.with_name("scored.rejects.jsonl").exists()
    killed_at = checkpoint_rows(out)
    assert 0 < killed_at < N_ROWS
    resumed = run(cmd)

    assert f"resuming at row {killed_at + 1}" in resumed.stderr
    scored = read_output(out)
    assert scored == read_output(reference)
    ids = [r["id"] for r in scored]
    assert len(ids) == len(set(ids))
    rejects = read_jsonl(out.with_name("scored.rejects.jsonl"))
    assert rejects == read_jsonl(reference.with_name("scored.rejects.jsonl"))
    assert any(r["reason"].startswith("duplicate id (first at row") for r in rejects)
    n_in = N_ROWS + (BAD_JSON_LINES if in_ext == ".jsonl" else 0)
    line = f"rows in {n_in} = scored {len(scored)} + rejected {len(rejects)}"
    assert line in resumed.stdout and line in ref_run.stdout
    assert {r["id"] for r in rows} <= set(ids) | {r["id"] for r in rejects}
    assert not checkpoint_path(out).exists() and not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_kill_in_first_batch_starts_over(tmp_path, tfidf_model, rows):
    src = write_input(tmp_path / "archive.jsonl", rows)
    out = tmp_path / "scored.jsonl"
    cmd = command(src, out, tfidf_model, 10 * N_ROWS)
    kill_when(cmd, lambda: (tmp_path / ".scored.rejects.jsonl.partial").exists())
    assert not checkpoint_path(out).exists() and not out.exists()
    rerun = run(cmd)
    assert "resuming" not in rerun.stderr
    scored = read_output(out)
    assert len(scored) == len({r["id"] for r in scored}) > N_ROWS * 0.9


def test_changed_input_or_restart_starts_over(tmp_path, tfidf_model, rows):
    src = write_input(tmp_path / "archive.jsonl", rows[:600])
    out = tmp_path / "scored.jsonl"
    cmd = command(src, out, tfidf_model, 16)
    kill_when(cmd, lambda: checkpoint_rows(out) >= 100)
    restarted = run(cmd + ["--restart"])
    assert "ignoring checkpoint" in restarted.stderr and "resuming" not in restarted.stderr
    kill_when(cmd, lambda: checkpoint_rows(out) >= 100)
    write_input(src, rows[:601])
    changed = run(cmd)
    assert "starting over" in changed.stderr and "resuming" not in changed.stderr
    assert f"rows in {601 + 2}" in changed.stdout
