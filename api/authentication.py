from oauth2_provider.contrib.rest_framework import OAuth2Authentication


class PartnerTokenAuthentication(OAuth2Authentication):
    """A client-credentials token names no user (django-oauth-toolkit leaves it empty): the partner
    system acts as its application's account, the one the access rule and the trail know."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        if user is None:
            user = token.application.user
            if user is None or not user.is_active:
                return None
        return user, token
