import pytest

from docket import testing as t
from docket.officers.models import Role

PASSWORD = "Correct-horse-42"


def with_password(officer):
    officer.set_password(PASSWORD)
    officer.save()
    return officer


@pytest.fixture
def case_officer(tree):
    return with_password(t.officer(tree.hz, Role.CASE_OFFICER))


@pytest.fixture
def head(tree):
    return with_password(t.officer(tree.hz, Role.OFFICE_HEAD))


@pytest.fixture
def administrator(tree):
    return with_password(t.officer(tree.zj, Role.ADMINISTRATOR))


def sign_in(client, username, password=PASSWORD, address="127.0.0.1", **extra):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)
