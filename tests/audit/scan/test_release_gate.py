"""The release gate builds the sdist and wheel, archives the committed tree and fails on a
planted personal-data file — in the package or only in the repository."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from shoka.demo.people import generate_people, municipality_postal_codes
from shoka.devtools.release_gate import run


def _project(root: Path) -> Path:
    (root / "pkg" / "data").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=69"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "gate-probe"\nversion = "1.0"\n'
        '[tool.setuptools]\npackages = ["pkg"]\n'
        '[tool.setuptools.package-data]\npkg = ["data/*"]\n'
    )
    (root / "pkg" / "__init__.py").write_text('"""A package the gate builds."""\n')
    (root / "pkg" / "data" / "branches.csv").write_text(
        "館名,住所,電話番号\n中央図書館,長野県松本市蟻ケ崎2丁目4-40,0263-32-0001\n"
    )
    return root


def _patrons_csv(n: int) -> str:
    codes = municipality_postal_codes("長野県", "松本市")
    people = generate_people(7, n, today=dt.date(2010, 5, 1), postal_codes=codes)
    return "氏名,フリガナ,住所,電話番号\n" + "".join(
        f"{p.name},{p.name_kana},{p.address},{p.phone}\n" for p in people
    )


def _commit(root: Path) -> None:
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    if not (root / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "probe"], check=True)


@pytest.mark.slow
def test_the_gate_passes_a_clean_build_and_fails_on_a_planted_file(tmp_path, capsys):
    project = _project(tmp_path / "project")
    _commit(project)
    assert run(project, tmp_path / "out") == 0

    # Planted where only the repository has it: the git tree catches it.
    (project / "notes").mkdir()
    (project / "notes" / "riyosha.csv").write_text(_patrons_csv(20))
    _commit(project)
    assert run(project, tmp_path / "out") == 3

    # Planted inside the package: the wheel and the sdist catch it too.
    (project / "notes" / "riyosha.csv").rename(project / "pkg" / "data" / "riyosha.csv")
    _commit(project)
    assert run(project, tmp_path / "out") == 3
    from shoka.audit.scan import scan

    for built in ("*.whl", "*.tar.gz"):  # the wheel and the sdist each carry it
        archive = next((tmp_path / "out" / "dist").glob(built))
        found = [f.path for f in scan([archive]) if f.personal]
        assert found == [f"{archive.name}::{_member(archive)}pkg/data/riyosha.csv"]

    # Exempted with a reason, the same build passes; without a reason the gate refuses.
    (project / ".shoka-scan-ignore").write_text(
        "pkg/data/riyosha.csv # a test fixture (the tree and the wheel)\n"
        "*/pkg/data/riyosha.csv # the same in the sdist (gate_probe-1.0/…)\n"
    )
    _commit(project)
    assert run(project, tmp_path / "out") == 0
    (project / ".shoka-scan-ignore").write_text("*/pkg/data/riyosha.csv\n")
    _commit(project)
    assert run(project, tmp_path / "out") == 2
    assert "every ignored path needs a reason" in capsys.readouterr().err


def _member(archive: Path) -> str:
    return "" if archive.suffix == ".whl" else "gate_probe-1.0/"
