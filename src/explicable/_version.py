"""The installed version of explicable."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("explicable")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
