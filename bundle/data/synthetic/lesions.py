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
"""Synthetic lesions: their geometry (irregular borders per class) and the texture of each class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from bundle.data.synthetic.random_fields import (
    _Array,
    _cell_edges,
    _cells,
    _dots,
    _jitter,
    _mix,
    _network,
    _ridges,
    _smooth_noise,
    _smoothstep,
)

# ----------------------------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class _Lesion:
    """Geometry of one lesion: binary mask and lesion-frame coordinates, all of shape (H, W)."""

    mask: _Array  # bool, True inside the lesion
    rho: _Array  # 0 at the centre, 1 on the border, > 1 outside
    theta: _Array  # polar angle around the lesion centre
    radius: float  # equivalent radius in pixels


_BORDER_IRREGULARITY = {"MEL": 0.16, "NV": 0.04, "BCC": 0.09, "AKIEC": 0.08, "BKL": 0.1, "DF": 0.05, "VASC": 0.06}
"""Amplitude of the radial Fourier perturbation per class: lobed melanoma, round nevus and dermatofibroma."""
_BORDER_ROUGHNESS = {"MEL": 0.07, "NV": 0.015, "BCC": 0.04, "AKIEC": 0.05, "BKL": 0.05, "DF": 0.02, "VASC": 0.02}
"""Amplitude of fine border roughness (relative to the radius)."""
_BORDER_SOFTNESS = {"MEL": 0.02, "NV": 0.015, "BCC": 0.05, "AKIEC": 0.07, "BKL": 0.01, "DF": 0.08, "VASC": 0.01}
"""Blur of the lesion edge relative to its radius: sharp vascular / keratosis borders, fuzzy AKIEC / DF."""


def _polar_coordinates(
    shape: tuple[int, int], centre: tuple[float, float], axes: tuple[float, float], angle: float
) -> tuple[_Array, _Array]:
    """Normalised elliptic radius (1 on an ellipse of semi-axes ``axes``) and polar angle, each (H, W)."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(float)
    dy, dx = yy - centre[0], xx - centre[1]
    c, s = np.cos(angle), np.sin(angle)
    u, v = (c * dx + s * dy) / axes[1], (-s * dx + c * dy) / axes[0]
    return np.hypot(u, v), np.arctan2(v, u)


def _radial_profile(rng: np.random.Generator, irregularity: float) -> Callable[[_Array], _Array]:
    """A smooth periodic radius r(theta) around 1: the sum of Fourier modes 2..7 with decaying amplitudes."""
    modes = np.arange(2, 8)
    amps = irregularity * rng.uniform(0.3, 1.0, modes.size) / modes**0.7
    phases = rng.uniform(0, 2 * np.pi, modes.size)
    grid = np.linspace(-np.pi, np.pi, 721)
    table = 1.0 + amps @ np.cos(np.multiply.outer(modes, grid) + phases[:, None])

    def profile(theta: _Array) -> _Array:
        return np.interp(theta, grid, table)

    return profile


def _largest_component(mask: _Array) -> _Array:
    """The largest 4-connected component of ``mask`` (H, W) with its holes filled: one solid lesion."""
    labels, count = ndimage.label(mask)
    if count > 1:
        mask = labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1
    return ndimage.binary_fill_holes(mask)


def _sample_lesion(
    rng: np.random.Generator, shape: tuple[int, int], class_name: str, area_range: tuple[float, float]
) -> _Lesion:
    """Draw an irregular blob of area fraction within ``area_range``; mostly central, sometimes off-centre."""
    h, w = shape
    target = rng.uniform(*area_range)
    elongation = rng.uniform(0.65, 1.0)
    angle = rng.uniform(0, np.pi)
    off_centre = rng.random() < 0.15
    spread = 0.22 if off_centre else 0.07
    centre = (h / 2 + rng.normal(0, spread) * h, w / 2 + rng.normal(0, spread) * w)
    profile = _radial_profile(rng, _BORDER_IRREGULARITY[class_name])
    roughness_field = _smooth_noise(rng, shape, max(2.0, 0.04 * w))
    roughness = _BORDER_ROUGHNESS[class_name]
    scale = np.sqrt(target * h * w / (np.pi * elongation))
    for attempt in range(8):
        axes = (scale * elongation, scale)
        rho_e, theta = _polar_coordinates(shape, centre, axes, angle)
        rho = rho_e / profile(theta) + roughness * roughness_field
        mask = _largest_component(rho <= 1.0)
        fraction = mask.mean()
        if area_range[0] <= fraction <= area_range[1] and abs(fraction - target) < 0.15 * target:
            break
        scale *= np.sqrt(target / max(fraction, 1e-4))
        if attempt >= 3:  # a lesion cut by the frame cannot reach its area: pull it towards the centre
            centre = ((centre[0] + h / 2) / 2, (centre[1] + w / 2) / 2)
    return _Lesion(mask=mask, rho=rho, theta=theta, radius=float(np.sqrt(mask.sum() / np.pi)))


# ------------------------------------------------------------------------------------------ class textures


def _nevus(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """Common nevus: tan to brown, symmetric, with a regular network, regular globules or homogeneous pigment."""
    shape = les.mask.shape
    base = _jitter(rng, rng.choice([(165, 110, 75), (140, 90, 60), (185, 130, 95)]), 0.08)
    dark = base * rng.uniform(0.45, 0.6)
    body = np.broadcast_to(base, shape + (3,)).copy()
    body = _mix(body, dark, 0.35 * np.clip(1 - les.rho, 0, 1) ** 1.5)  # darker centre, symmetric fading
    body = _mix(body, dark, 0.12 * (0.5 + 0.5 * _smooth_noise(rng, shape, 0.2 * size)))
    variant = rng.random()
    if variant < 0.6:
        net = _network(rng, shape, rng.uniform(0.045, 0.06) * size, 0.35, 0.1)
        net *= 0.6 + 0.4 * _smoothstep(_smooth_noise(rng, shape, 0.1 * size), -1.0, 1.0)
        body = _mix(body, dark, 0.75 * net * _smoothstep(1.05 - les.rho, 0.0, 0.3))
    elif variant < 0.9:
        globules = _dots(rng, shape, 0.08 * size, 0.014 * size, les.rho < 0.95)
        body = _mix(body, dark * 0.9, 0.85 * globules)
    return body


def _melanoma(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """Melanoma: several colours (dark brown, black, blue-grey, red, white), atypical network, blotches, streaks."""
    shape = les.mask.shape
    base = _jitter(rng, (120, 72, 50), 0.1)
    body = np.broadcast_to(base, shape + (3,)).copy()
    body = _mix(body, _jitter(rng, (170, 110, 80)), 0.6 * _smoothstep(_smooth_noise(rng, shape, 0.15 * size), 0.0, 1.0))
    net = _network(rng, shape, rng.uniform(0.05, 0.08) * size, 0.5, rng.uniform(0.1, 0.16))
    net = net * (0.4 + 0.6 * _smoothstep(_smooth_noise(rng, shape, 0.12 * size), -0.5, 0.8))
    body = _mix(body, _jitter(rng, (55, 30, 25)), 0.8 * net)
    body = _mix(body, _jitter(rng, (35, 22, 25)), 0.9 * _smoothstep(_smooth_noise(rng, shape, 0.12 * size), 0.6, 1.2))
    veil = _smoothstep(_smooth_noise(rng, shape, 0.2 * size), 0.3, 1.0)
    body = _mix(body, _jitter(rng, (110, 118, 140)), 0.6 * veil)
    regression = _smoothstep(_smooth_noise(rng, shape, 0.1 * size), 1.0, 1.6)
    body = _mix(body, _jitter(rng, (210, 185, 185)), 0.55 * regression)
    body = _mix(body, _jitter(rng, (180, 85, 75)), 0.4 * _smoothstep(_smooth_noise(rng, shape, 0.15 * size), 0.9, 1.5))
    streaks = np.clip(np.cos(rng.integers(14, 26) * les.theta + 2.0 * _smooth_noise(rng, shape, 0.1 * size)), 0, 1) ** 4
    body = _mix(body, _jitter(rng, (50, 28, 22)), 0.8 * streaks * _smoothstep(les.rho, 0.7, 0.95))
    dots = _dots(rng, shape, 0.07 * size, rng.uniform(0.008, 0.02) * size, les.rho < 1.0)
    return _mix(body, _jitter(rng, (30, 20, 20)), 0.9 * dots)


def _basal_cell_carcinoma(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """BCC: translucent pink, blue-grey ovoid nests, arborizing red vessels, shiny white areas; no network."""
    shape = les.mask.shape
    body = np.broadcast_to(_jitter(rng, (222, 160, 160), 0.05), shape + (3,)).copy()
    shiny = _smoothstep(_smooth_noise(rng, shape, 0.12 * size), 0.6, 1.4)
    body = _mix(body, _jitter(rng, (240, 225, 225)), 0.5 * shiny)
    nests = _dots(rng, shape, rng.uniform(0.12, 0.2) * size, rng.uniform(0.025, 0.045) * size, les.rho < 0.85)
    body = _mix(body, _jitter(rng, (95, 105, 130)), 0.85 * nests)
    vessels = _ridges(rng, shape, 0.12 * size, 0.07) * _smoothstep(_smooth_noise(rng, shape, 0.2 * size), -0.6, 0.4)
    fine = _ridges(rng, shape, 0.05 * size, 0.08)
    return _mix(body, _jitter(rng, (185, 35, 50)), np.clip(0.9 * vessels + 0.5 * fine * vessels.max(), 0, 0.9))


def _actinic_keratosis(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """AKIEC: pink-red 'strawberry' pseudo-network around white follicles, white-yellow scale, dotted vessels."""
    shape = les.mask.shape
    body = np.broadcast_to(_jitter(rng, (205, 115, 105), 0.06), shape + (3,)).copy()
    body = _mix(body, _jitter(rng, (175, 70, 70)), 0.5 * (0.5 + 0.5 * _smooth_noise(rng, shape, 0.15 * size)))
    follicles = _dots(rng, shape, rng.uniform(0.08, 0.12) * size, 0.016 * size, les.rho < 1.0)
    body = _mix(body, _jitter(rng, (240, 220, 205)), 0.7 * follicles)
    scale = _smoothstep(_smooth_noise(rng, shape, 0.1 * size) + 0.4 * _smooth_noise(rng, shape, 0.025 * size), 0.6, 1.4)
    body = _mix(body, _jitter(rng, (230, 215, 180)), 0.7 * scale)
    vessels = _dots(rng, shape, 0.05 * size, 0.007 * size, les.rho < 1.0)
    return _mix(body, _jitter(rng, (160, 25, 40)), 0.8 * vessels)


def _benign_keratosis(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """BKL (seborrheic keratosis): tan-brown, cerebriform fissures, milia-like cysts, comedo-like openings."""
    shape = les.mask.shape
    base = _jitter(rng, rng.choice([(175, 135, 95), (150, 110, 75), (120, 85, 60)]), 0.08)
    body = np.broadcast_to(base, shape + (3,)).copy()
    body = _mix(body, base * 0.75, 0.5 * (0.5 + 0.5 * _smooth_noise(rng, shape, 0.15 * size)))
    fissures = _ridges(rng, shape, rng.uniform(0.06, 0.09) * size, 0.18)
    body = _mix(body, base * 0.45, 0.8 * fissures)
    body = _mix(body, base * 1.25 + 0.05, 0.35 * _ridges(rng, shape, 0.07 * size, 0.25))
    milia = _dots(rng, shape, 0.12 * size, 0.018 * size, les.rho < 0.9)
    body = _mix(body, _jitter(rng, (240, 235, 205)), 0.9 * milia)
    comedos = _dots(rng, shape, 0.12 * size, 0.016 * size, les.rho < 0.9)
    return _mix(body, _jitter(rng, (70, 50, 35)), 0.9 * comedos)


def _dermatofibroma(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """Dermatofibroma: delicate light-brown peripheral network around a central white scar-like patch."""
    shape = les.mask.shape
    base = _jitter(rng, (180, 125, 100), 0.06)
    body = np.broadcast_to(base, shape + (3,)).copy()
    net = _network(rng, shape, rng.uniform(0.04, 0.05) * size, 0.3, 0.1)
    body = _mix(body, base * 0.6, 0.6 * net)
    scar = _smoothstep(rng.uniform(0.3, 0.45) + 0.1 * _smooth_noise(rng, shape, 0.1 * size) - les.rho, -0.1, 0.15)
    body = _mix(body, _jitter(rng, (222, 195, 185)), 0.6 * scar)
    return _mix(body, _jitter(rng, (205, 140, 130)), 0.3 * _smoothstep(les.rho, 0.4, 0.7) * (1 - scar))


def _vascular(rng: np.random.Generator, les: _Lesion, size: float) -> _Array:
    """Vascular lesion: rounded red, purple and dark-blue lacunae separated by light septa; sharp border."""
    shape = les.mask.shape
    spacing = rng.uniform(0.1, 0.16) * size
    labels, distance = _cells(rng, shape, spacing, 0.4)
    palette = np.stack([_jitter(rng, c, 0.1) for c in ((170, 35, 55), (130, 30, 65), (95, 35, 85), (190, 60, 75))])
    lacunae = palette[rng.integers(0, len(palette), labels.max() + 1)][labels]
    lacunae = _mix(lacunae, lacunae * 0.65, 0.5 * _smoothstep(_smooth_noise(rng, shape, 0.2 * size), 0.0, 1.0))
    septa = np.broadcast_to(_jitter(rng, (210, 140, 150)), shape + (3,))
    depth = ndimage.distance_transform_edt(~_cell_edges(labels))
    rounded = _smoothstep(depth, 0.5, 0.2 * spacing) * (1.0 - _smoothstep(distance, 0.45 * spacing, 0.65 * spacing))
    return _mix(septa, lacunae, rounded)


_TEXTURES: dict[str, Callable[[np.random.Generator, _Lesion, float], _Array]] = {
    "MEL": _melanoma,
    "NV": _nevus,
    "BCC": _basal_cell_carcinoma,
    "AKIEC": _actinic_keratosis,
    "BKL": _benign_keratosis,
    "DF": _dermatofibroma,
    "VASC": _vascular,
}
"""Per class: (rng, lesion, lesion diameter in px) -> lesion body colours (H, W, 3) in [0, 1], before blending."""


