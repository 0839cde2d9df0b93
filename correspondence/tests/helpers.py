from correspondence.services import contact_preference_update


def prefer(client, user, **values):
    """Record the client's contact preferences as a worker would."""
    return contact_preference_update(client=client, acting_user=user, **values)
