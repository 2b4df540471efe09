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
"""MONAI's PILReader with the bundle's RGB conversion, for every PIL image ending (TIFF included)."""

from __future__ import annotations

from collections.abc import Sequence

from monai.config import PathLike
from monai.data import PILReader
from monai.data.utils import is_supported_format

from bundle.data.image_conversion import PIL_SUFFIXES, to_rgb

__all__ = ["RGBPILReader"]


class RGBPILReader(PILReader):
    """Read PNG, JPEG, BMP and TIFF files as 8-bit RGB through :func:`bundle.data.image_conversion.to_rgb`.

    The input check (``bundle.data.validation.check_image``) applies the same conversion, so an image that passes
    it loads as the check saw it: EXIF orientation applied, 16-bit scaled by its range, palette and CMYK converted.
    Registered last on ``LoadImage`` (``LoadImaged.register``), it is chosen by suffix before MONAI's own readers.

    Args:
        reverse_indexing: see ``monai.data.PILReader`` (True: spatial axes (W, H), as MONAI's other 2D readers).
        kwargs: passed to ``PIL.Image.open``.
    """

    def __init__(self, reverse_indexing: bool = True, **kwargs) -> None:
        super().__init__(converter=to_rgb, reverse_indexing=reverse_indexing, **kwargs)

    def verify_suffix(self, filename: Sequence[PathLike] | PathLike) -> bool:
        """Whether every file of ``filename`` has one of ``PIL_SUFFIXES``."""
        return is_supported_format(filename, [suffix.lstrip(".") for suffix in PIL_SUFFIXES])
