"""Assemble docs/data.md from its hand-written head and the fragments the build scripts write
(docs/_fragments/data-grids.md by tools/build_grids.py, data-gpus.md by build_gpu_inventories.py)."""

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"

parts = [(DOCS / "_fragments" / "data-head.md").read_text(encoding="utf-8")]
for name in ("data-gpus.md", "data-grids.md"):
    parts.append((DOCS / "_fragments" / name).read_text(encoding="utf-8"))
(DOCS / "data.md").write_text("\n\n".join(p.strip() for p in parts) + "\n", encoding="utf-8")
print("wrote", DOCS / "data.md")
