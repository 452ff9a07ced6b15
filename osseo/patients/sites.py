"""The site profiles, under the name the apps have always imported them by.

They live in `osseo/sites.py`: pure reference data over site codes, below every app, so that the
accounts layer (which validates the clinic's `site_profiles` setting, words it and offers its
form) reads them without importing the patients app.
"""

from osseo.sites import *  # noqa: F403
