# Copyright (c) 2026 skin_lesion_wss contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#     http://www.apache.org/licenses/LICENSE-2.0
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""The paper's Table 1 on the segmentation val/test splits: every method's init maps and U-net, and baselines."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
from monai.data import load_decathlon_datalist

from bundle.evaluation.baselines import write_baseline_masks
from bundle.evaluation.dice_strip_plot import write_dice_strip_plot
from bundle.evaluation.equal_area_masks import EqualAreaMasks
from bundle.evaluation.overlay_figure import make_overlay_figure
from bundle.evaluation.run_metrics import read_run_metrics, source_accuracy
from bundle.evaluation.segmentation_metrics import evaluate_folder
from bundle.evaluation.table1_report import KIND_TITLES, Table1Report

logger = logging.getLogger(__name__)

KINDS = ("init_maps", "unet")
DICE_STRIPS = "dice_per_image.png"
"""The per-image Dice strip plot of the figure's split, beside table1.md."""


class Table1Evaluation:
    """Score folders of predicted masks against the segmentation ground truth and write Table 1 and a figure.

    Args:
        segmentation_datalist: ``segmentation.json`` with "validation"/"test" items {"image", "mask"}.
        output_dir: where ``table1.csv``, ``table1.md``, ``figure.png`` and ``dice_per_image.png`` go.
        methods: rows of (name, init maps folder or None, U-net predictions folder or None[, map source run folder
            or None]); mask folders hold ``<image id>_mask.png`` at each image's own size; a run folder's
            ``metrics.csv`` gives the map source's held-out accuracy, shown in its own column.
        baselines: label-free baselines by row name, each image (H, W, 3) uint8 -> mask (H, W) bool; their masks
            are written to ``baseline_dir/<name>`` and scored as init maps.
        baseline_dir: folder of the baselines' masks.
        splits: datalist sections to evaluate.
        figure_split: the section whose first images are shown in the figure.
        figure_images: how many images (rows) the figure shows.
        notes: a line printed under the table.
        equal_area_reference: name of a baseline (e.g. the centred disk) whose per-image area every method's
            continuous maps (``<id>_map.png`` in the init maps folder) are cut at, for a second, threshold-free
            table of map quality (``equal_area.csv``/``.md``, masks under ``<output_dir>/equal_area/``).
    """

    def __init__(
        self,
        segmentation_datalist: str | os.PathLike,
        output_dir: str | os.PathLike,
        methods: Sequence[Sequence],
        baselines: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
        baseline_dir: str | os.PathLike | None = None,
        splits: Sequence[str] = ("validation", "test"),
        figure_split: str = "test",
        figure_images: int = 4,
        notes: str | None = None,
        equal_area_reference: str | None = None,
    ) -> None:
        if any(len(row) not in (3, 4) for row in methods):
            raise ValueError("each method row must be (name, init maps folder, U-net folder[, map source run]), "
                             "None where there is none.")
        if baselines and baseline_dir is None:
            raise ValueError("baselines need a baseline_dir to write their masks to.")
        if figure_split not in splits:
            raise ValueError(f"figure_split {figure_split!r} is not one of the evaluated splits {list(splits)}.")
        if equal_area_reference is not None and equal_area_reference not in (baselines or {}):
            raise ValueError(f"equal_area_reference {equal_area_reference!r} is not one of the baselines.")
        self.segmentation_datalist = str(segmentation_datalist)
        self.output_dir = Path(output_dir)
        self.methods = [tuple(row[:3]) for row in methods]
        self.source_runs = {row[0]: row[3] for row in methods if len(row) == 4 and row[3] is not None}
        self.baselines = dict(baselines or {})
        self.baseline_dir = Path(baseline_dir) if baseline_dir is not None else None
        self.splits = tuple(splits)
        self.figure_split = figure_split
        self.figure_images = figure_images
        self.notes = notes
        self.equal_area_reference = equal_area_reference

    def run(self) -> Table1Report:
        """Evaluate everything, write the tables, the figure and the per-image Dice strips of the figure's split,
        log the Dice table and return the report."""
        report, strips = Table1Report(notes=self.notes), []
        for split in self.splits:
            items = load_decathlon_datalist(self.segmentation_datalist, data_list_key=split)
            cells = []
            for name, baseline in self.baselines.items():
                folder = self.baseline_dir / name
                write_baseline_masks(items, folder, method=baseline)
                cells.append((name, "init_maps", evaluate_folder(items, folder)))
            for name, *folders in self.methods:
                cells += [(name, kind, evaluate_folder(items, folder))
                          for kind, folder in zip(KINDS, folders) if folder is not None]
            for name, kind, scores in cells:
                report.add(name, split, kind, scores)
            if split == self.figure_split:
                strips = [(f"{name} {KIND_TITLES[kind]}", [score["dice"] for score in scores])
                          for name, kind, scores in cells]
        for name, run_dir in self.source_runs.items():
            report.add_source(name, source_accuracy(read_run_metrics(run_dir)))
        report.write(self.output_dir)
        self._figure()
        write_dice_strip_plot(strips, self.output_dir / DICE_STRIPS, title=f"Dice per {self.figure_split} image")
        logger.info("Table 1 (Dice, %%):\n%s", report.to_markdown())
        if self.equal_area_reference is not None:
            self._equal_area_table()
        return report

    def _equal_area_table(self) -> Table1Report:
        """Score every method's maps cut at the reference baseline's area, beside the reference itself."""
        name = self.equal_area_reference
        report = Table1Report(
            notes=f"Each map keeps its highest pixels, as many as the {name} mask of the same image covers.",
            title=f"Map quality at the area of the {name}",
            stem="equal_area",
            kinds=("init_maps",),
        )
        cut = EqualAreaMasks(self.baselines[name])
        for split in self.splits:
            items = load_decathlon_datalist(self.segmentation_datalist, data_list_key=split)
            report.add(name, split, "init_maps", evaluate_folder(items, self.baseline_dir / name))
            for method, maps, _ in self.methods:
                if maps is not None:
                    folder = self.output_dir / "equal_area" / _folder_name(method)
                    cut.write(items, maps, folder)
                    report.add(method, split, "init_maps", evaluate_folder(items, folder))
        report.write(self.output_dir, extra_metrics=())
        logger.info("Map quality (Dice, %%):\n%s", report.to_markdown())
        return report

    def _figure(self) -> Path:
        items = load_decathlon_datalist(self.segmentation_datalist, data_list_key=self.figure_split)
        columns = [(f"{name} {'map' if kind == 'init_maps' else 'U-net'}", folder)
                   for name, *folders in self.methods for kind, folder in zip(KINDS, folders) if folder is not None]
        figure = self.output_dir / "figure.png"
        return make_overlay_figure(items, columns, figure, num_images=self.figure_images, tile=128)


def _folder_name(method: str) -> str:
    """A file-system-safe folder name for a method's row name, e.g. "DCML + Attention" -> "dcml_attention"."""
    return "_".join("".join(c if c.isalnum() else " " for c in method.lower()).split())
