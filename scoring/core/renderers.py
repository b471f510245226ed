from csp.constants import SELF, UNSAFE_INLINE
from rest_framework.renderers import BrowsableAPIRenderer


class CspBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API under the Content-Security-Policy: its "Log out" works without an
    inline script (scoring/templates/scoring/browsable_api.html), and its pages may apply
    inline styles, which DRF's templates (and Pygments' highlighting) are made of; scripts
    stay as strict as everywhere."""

    template = "scoring/browsable_api.html"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:  # read by csp.middleware.CSPMiddleware
            response._csp_replace = {"style-src": [SELF, UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
