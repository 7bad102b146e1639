"""Cloud adapters: each turns its provider's resources into links and general exits of the model.

Adding a cloud means adding a module here and listing it in ``ADAPTERS``; checks never change.
"""

from __future__ import annotations

from cn_crossborder.clouds import aws, azure

ADAPTERS = (aws, azure)
