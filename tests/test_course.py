"""The course as a whole: every chapter present, numbered in order, listed in the READMEs and
run by `make course`, each with its goals, glossary and summary."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = {  # number -> file stem, as the issues name them
    0: "00_welcome", 1: "01_tensors", 2: "02_tensor_operations", 3: "03_computational_graphs",
    4: "04_forward_mode_ad", 5: "05_reverse_mode_autograd", 6: "06_nn_module",
    7: "07_optimizers", 8: "08_datasets_and_loaders", 9: "09_mnist_mlp", 10: "10_cnn",
    11: "11_acceleration", 12: "12_save_and_load",
}


def markdown_cells(stem: str) -> list[str]:
    nb = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_chapters_are_numbered_without_gaps():
    stems = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert stems == [CHAPTERS[n] for n in sorted(CHAPTERS)]
    for stem in stems:
        assert (NOTEBOOKS / f"{stem}.py").exists(), f"{stem}.py (the jupytext source) is missing"


def test_make_course_runs_every_chapter_in_order():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import run_course
    finally:
        sys.path.remove(str(NOTEBOOKS))
    found = [p.stem for p in run_course.course_notebooks(NOTEBOOKS, [])]
    assert found == [CHAPTERS[n] for n in sorted(CHAPTERS)]


@pytest.mark.parametrize("readme", ["README.md", "notebooks/README.md"])
def test_readmes_list_every_chapter(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    links = re.findall(r"\(((?:notebooks/)?\d\d_\w+)\.ipynb\)", text)
    assert [Path(link).name for link in links] == [CHAPTERS[n] for n in sorted(CHAPTERS)]


def test_every_course_notes_section_maps_to_an_existing_chapter_section():
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (?!section|---)(.+?) \| (\d\d · .+?) \|$", text, flags=re.M)
    assert len(rows) >= 30
    for _, places in rows:
        number = None
        for place in places.split("; "):  # "03 · 1. A graph ...; 2. Using ...; 05 · 8. ..."
            match = re.match(r"(\d\d) · (.+)", place)
            if match:
                number, place = int(match.group(1)), match.group(2)
            headings = "\n".join(markdown_cells(CHAPTERS[number]))
            start = " ".join(place.split(" ")[:3])  # the start of the heading finds it
            assert start in headings, f"chapter {number:02d} has no section {place!r}"


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_chapter_has_title_goals_glossary_and_summary(number):
    cells = markdown_cells(CHAPTERS[number])
    assert cells[0].startswith(f"# {number:02d} · "), "the first cell is the chapter's title"
    opening = "\n".join(cells[:3])
    assert "Goals" in opening and "学习目标" in opening
    assert "## Glossary · 术语表" in opening
    assert re.search(r"^\| English \| 中文 \|", opening, flags=re.M), "a bilingual glossary table"
    closing = "\n".join(cells[-2:])
    assert "## Summary · 小结" in closing
    assert re.search(r"[Ee]xercise|练习|[Nn]ext", closing), "pointers onward at the end"
