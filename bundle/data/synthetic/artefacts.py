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
"""What surrounds a synthetic lesion: skin, hairs, bubbles, ruler marks, uneven light, vignette, contrast."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bundle.data.synthetic.random_fields import _Array, _jitter, _mix, _ridges, _smooth_noise, _smoothstep

# ------------------------------------------------------------------------------------- skin and artefacts


def _skin(rng: np.random.Generator, shape: tuple[int, int]) -> _Array:
    """Skin of a random tone with mottling, furrows and grain, shape (H, W, 3) in [0, 1]."""
    light, dark = np.array([238, 192, 172]) / 255.0, np.array([150, 100, 75]) / 255.0
    tone = light + rng.beta(1.5, 3.0) * (dark - light)
    tone = np.clip(tone + rng.normal(0, 0.02, 3) + np.array([1, -0.3, -0.3]) * rng.uniform(0, 0.04), 0, 1)
    w = shape[1]
    skin = np.broadcast_to(tone, shape + (3,)).copy()
    skin *= 1 + 0.04 * _smooth_noise(rng, shape, 0.2 * w)[..., None]
    redness = _smoothstep(_smooth_noise(rng, shape, 0.1 * w), 0, 1.5)
    skin = _mix(skin, tone * np.array([1.05, 0.85, 0.85]), 0.25 * redness)
    skin = _mix(skin, tone * 0.92, 0.3 * _ridges(rng, shape, 0.12 * w, 0.25))
    return skin + rng.normal(0, 0.012, shape + (1,))


def _hairs(rng: np.random.Generator, image: _Array, count: int) -> _Array:
    """Dark thin curved hairs (quadratic Bezier curves across the frame) over ``image`` (H, W, 3)."""
    h, w = image.shape[:2]
    t = np.linspace(0.0, 1.0, 2 * (h + w))[:, None]
    start = rng.uniform((0, 0), (h, w), (count, 2))
    direction = rng.uniform(0, 2 * np.pi, count)
    length = rng.uniform(0.4, 1.2, count) * max(h, w)
    end = start + length[:, None] * np.stack([np.sin(direction), np.cos(direction)], 1)
    control = (start + end) / 2 + rng.normal(0, 0.15, (count, 2)) * length[:, None]
    points = ((1 - t) ** 2)[..., None] * start + (2 * t * (1 - t))[..., None] * control + (t**2)[..., None] * end
    points = np.rint(points.reshape(-1, 2)).astype(int)
    inside = (points[:, 0] >= 0) & (points[:, 0] < h) & (points[:, 1] >= 0) & (points[:, 1] < w)
    trace = np.zeros((h, w))
    trace[points[inside, 0], points[inside, 1]] = 1.0
    sigma = rng.uniform(0.5, 0.9) * max(1.0, w / 200)  # hairs keep their share of the frame on large images
    alpha = np.clip(ndimage.gaussian_filter(trace, sigma) * 3.5 * sigma, 0, 0.95)
    return _mix(image, np.array([0.18, 0.12, 0.1]) * rng.uniform(0.3, 1.2), alpha)


def _bubbles(rng: np.random.Generator, image: _Array, count: int) -> _Array:
    """Air bubbles of immersion fluid: faint discs with a bright rim, over ``image`` (H, W, 3)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(count):
        r = rng.uniform(0.02, 0.08) * w
        d = np.hypot(yy - rng.uniform(0, h), xx - rng.uniform(0, w))
        rim = np.exp(-(((d - r) / max(0.8, 0.08 * r)) ** 2))
        image = _mix(image, (1.0, 1.0, 1.0), 0.12 * (d < r) + 0.6 * rim)
        image = _mix(image, (0.2, 0.2, 0.2), 0.25 * np.exp(-(((d - 0.85 * r) / max(0.6, 0.05 * r)) ** 2)))
    return image


def _ruler(rng: np.random.Generator, image: _Array) -> _Array:
    """Ruler tick marks along one image edge, over ``image`` (H, W, 3)."""
    h, w = image.shape[:2]
    marks = np.zeros((h, w))
    spacing = rng.uniform(0.035, 0.05) * w
    offset = int(rng.uniform(0.02, 0.08) * h)
    for i, x in enumerate(np.arange(rng.uniform(0, spacing), w, spacing).astype(int)):
        length = int((0.09 if i % 5 == 0 else 0.045) * h)
        marks[offset : offset + length, x] = 1.0
    marks[offset, :] = 1.0
    if rng.random() < 0.5:
        marks = marks[::-1]
    return _mix(image, _jitter(rng, (30, 30, 35), 0.1), 0.85 * ndimage.gaussian_filter(marks, 0.4) * 2.0)


def _illumination(rng: np.random.Generator, image: _Array) -> _Array:
    """A smooth linear illumination gradient in a random direction, over ``image`` (H, W, 3)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * (xx / w - 0.5) + np.sin(angle) * (yy / h - 0.5))[..., None]
    return image * (1.0 + rng.uniform(0.0, 0.35) * ramp)


def _vignette(rng: np.random.Generator, image: _Array) -> _Array:
    """The dark circular field stop of a dermoscope (dark corners), over ``image`` (H, W, 3)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot((yy - h / 2) / (h / 2), (xx - w / 2) / (h / 2))
    radius = rng.uniform(1.15, 1.5)
    field = 1.0 - _smoothstep(d, radius - 0.08, radius)
    return _mix(image, np.full(3, rng.uniform(0.02, 0.08)), 1.0 - field)


_ARTEFACT_PROBABILITY = {"bubbles": 0.15, "ruler": 0.1, "hairs": 0.4, "vignette": 0.25}
"""Share of images showing each class-independent distractor (an illumination gradient is always drawn)."""
_CONTRAST_RANGE = (0.4, 1.0)
"""Range of the blend factor of lesion body against skin: low contrast keeps Otsu and a centred disk imperfect."""
_MIN_LESION_DISTANCE = (0.06, 0.1)
"""Smallest distance (RGB in [0, 1]) of the lesion from the skin below it, as (mean colour, mean per-pixel): even
the faintest lesion stays visible to a U-net, by its colour or by its texture."""


def _contrast(rng: np.random.Generator, skin: _Array, body: _Array, mask: _Array) -> float:
    """A random blend factor of ``body`` against ``skin`` (both (H, W, 3)), raised so the lesion stays visible."""
    difference = body[mask] - skin[mask]
    colour_distance = float(np.linalg.norm(difference.mean(0)))
    pixel_distance = float(np.linalg.norm(difference, axis=-1).mean())
    floor = max(
        _MIN_LESION_DISTANCE[0] / max(colour_distance, 1e-3), _MIN_LESION_DISTANCE[1] / max(pixel_distance, 1e-3)
    )
    return float(np.clip(max(rng.uniform(*_CONTRAST_RANGE), floor), 0.0, 1.5))


