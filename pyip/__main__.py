"""``python -m pyip``: the ``pyip`` console script."""

from .main import main

main()
