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
"""Random fields the synthetic images are painted with: smooth noise, dots, ridges, cells, colour mixing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

_Array = np.ndarray


# --------------------------------------------------------------------------------------------- random fields


def _upsampling_matrix(n_out: int, n_coarse: int, scale: float) -> _Array:
    """Row-normalised Gaussian weights (n_out, n_coarse) spreading coarse grid values ``scale`` px apart."""
    offsets = np.arange(n_out)[:, None] / scale - (np.arange(n_coarse)[None, :] - 1.0)
    weights = np.exp(-0.5 * (offsets / 0.6) ** 2)
    return weights / weights.sum(axis=1, keepdims=True)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> _Array:
    """Zero-mean, unit-std noise with correlation length about ``scale`` pixels, shape ``shape``.

    White noise on a coarse grid spread by two small matrix products: far cheaper than a wide Gaussian filter.
    """
    scale = max(float(scale), 1.0)
    coarse = [int(np.ceil(n / scale)) + 3 for n in shape]
    field = _upsampling_matrix(shape[0], coarse[0], scale) @ rng.standard_normal(coarse)
    field = field @ _upsampling_matrix(shape[1], coarse[1], scale).T
    return (field - field.mean()) / (field.std() + 1e-8)


def _dots(rng: np.random.Generator, shape: tuple[int, int], spacing: float, radius: float, where: _Array) -> _Array:
    """Round blobs of about ``radius`` px, mean spacing ``spacing`` px, centred where ``where`` is True; in [0, 1]."""
    candidates = np.flatnonzero(where)
    impulses = np.zeros(shape)
    if candidates.size:
        n = max(1, int(round(candidates.size / spacing**2)))
        idx = rng.choice(candidates, size=min(n, candidates.size), replace=False)
        np.put(impulses, idx, rng.uniform(0.6, 1.4, idx.size))
    blobs = ndimage.gaussian_filter(impulses, radius, truncate=3.0) * (2 * np.pi * radius**2)
    return np.clip(blobs, 0.0, 1.0)


def _ridges(rng: np.random.Generator, shape: tuple[int, int], scale: float, width: float) -> _Array:
    """Meandering thin lines (zero crossings of smooth noise) of about ``width`` (noise units); in [0, 1]."""
    return np.exp(-((_smooth_noise(rng, shape, scale) / width) ** 2))


def _cells(rng: np.random.Generator, shape: tuple[int, int], spacing: float, jitter: float) -> tuple[_Array, _Array]:
    """Cells around jittered grid seeds: (cell label, distance to the cell's seed in px), each of shape ``shape``."""
    ys, xs = np.mgrid[0 : shape[0] + spacing : spacing, 0 : shape[1] + spacing : spacing]
    ys = np.clip(ys + rng.uniform(-jitter, jitter, ys.shape) * spacing, 0, shape[0] - 1).astype(int).ravel()
    xs = np.clip(xs + rng.uniform(-jitter, jitter, xs.shape) * spacing, 0, shape[1] - 1).astype(int).ravel()
    not_seed = np.ones(shape, dtype=bool)
    not_seed[ys, xs] = False
    seed_label = np.zeros(shape, dtype=int)
    seed_label[ys, xs] = np.arange(1, ys.size + 1)
    distance, (iy, ix) = ndimage.distance_transform_edt(not_seed, return_indices=True)
    return seed_label[iy, ix], distance


def _cell_edges(labels: _Array) -> _Array:
    """Boolean map of pixels whose lower or right neighbour lies in another cell, shape of ``labels``."""
    edges = np.zeros(labels.shape, dtype=bool)
    edges[:-1] |= labels[:-1] != labels[1:]
    edges[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    return edges


def _network(
    rng: np.random.Generator, shape: tuple[int, int], spacing: float, jitter: float, thickness: float
) -> _Array:
    """A pigment network: lines ``thickness`` * ``spacing`` wide around holes of about ``spacing`` px; in [0, 1]."""
    labels, _ = _cells(rng, shape, spacing, jitter)
    lines = ndimage.gaussian_filter(_cell_edges(labels).astype(float), max(0.4, thickness * spacing))
    return np.clip(lines / (lines.max() + 1e-8) * 1.6, 0.0, 1.0)


def _mix(image: _Array, colour: Sequence[float], weight: _Array | float) -> _Array:
    """Blend ``colour`` (RGB in [0, 1]) into ``image`` (H, W, 3) with per-pixel ``weight`` (H, W) in [0, 1]."""
    w = np.clip(np.asarray(weight, dtype=float), 0.0, 1.0)
    if w.ndim == 2:
        w = w[..., None]
    return image + w * (np.asarray(colour, dtype=float) - image)


def _jitter(rng: np.random.Generator, rgb: Sequence[float], amount: float = 0.06) -> _Array:
    """An RGB colour (0-255 given) as [0, 1] floats with a small random shift of brightness and hue."""
    colour = np.asarray(rgb, dtype=float) / 255.0
    return np.clip(colour * rng.uniform(1 - amount, 1 + amount) + rng.normal(0, amount / 3, 3), 0.0, 1.0)


def _smoothstep(x: _Array, lo: float, hi: float) -> _Array:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3 - 2 * t)


