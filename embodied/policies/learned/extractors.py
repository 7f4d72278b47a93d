"""Feature extractor of learned policies for Dict observations (vectors and images)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3.common.preprocessing import is_image_space_channels_first
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from embodied.policies.learned.sb3 import image_keys, vector_keys


def _channels_first(space: gym.spaces.Box) -> bool:
    if space.dtype == np.uint8:
        return is_image_space_channels_first(space)
    return space.shape[0] in (1, 3, 4) and space.shape[-1] not in (1, 3, 4)


class DictExtractor(BaseFeaturesExtractor):
    """Vector observations concatenated; each image through a small CNN.

    Images may arrive channels-last (depth ``HxWx1`` float32 from the env) or
    channels-first (SB3 transposes uint8 images with VecTransposeImage); they are put
    channels-first here. uint8 images are already scaled to [0, 1] by SB3; float images
    (depth in metres) are divided by their space's upper bound (``max_depth``).
    """

    def __init__(self, observation_space: gym.spaces.Dict, cnn_features: int = 128):
        images = image_keys(observation_space)
        vectors = vector_keys(observation_space)
        vector_dim = sum(int(np.prod(observation_space[k].shape)) for k in vectors)
        super().__init__(observation_space, features_dim=vector_dim + cnn_features * len(images))
        self.vectors, self.images = vectors, images
        self.channels_last: dict[str, bool] = {}
        self.scale: dict[str, float] = {}
        self.cnns = nn.ModuleDict()
        for key in images:
            space = observation_space[key]
            first = _channels_first(space)
            self.channels_last[key] = not first
            channels, hw = (space.shape[0], space.shape[1:]) if first else (space.shape[-1],
                                                                             space.shape[:2])
            high = float(np.max(space.high)) if space.dtype != np.uint8 else 1.0
            self.scale[key] = 1.0 / high if np.isfinite(high) and high > 0 else 1.0
            cnn = nn.Sequential(
                nn.Conv2d(channels, 32, 8, stride=4), nn.ReLU(),
                nn.Conv2d(32, 64, 4, stride=2), nn.ReLU(),
                nn.Conv2d(64, 32, 3, stride=1), nn.ReLU(), nn.Flatten())
            with torch.no_grad():
                flat = cnn(torch.zeros(1, channels, *hw)).shape[1]
            self.cnns[key] = nn.Sequential(cnn, nn.Linear(flat, cnn_features), nn.ReLU())

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = [observations[k].flatten(1) for k in self.vectors]
        for key in self.images:
            x = observations[key].float()
            if self.channels_last[key]:
                x = x.permute(0, 3, 1, 2)
            parts.append(self.cnns[key](x * self.scale[key]))
        return torch.cat(parts, dim=1)
