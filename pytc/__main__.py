"""``python -m pytc``: the ``pytc`` console script."""

from .main import main

main()
