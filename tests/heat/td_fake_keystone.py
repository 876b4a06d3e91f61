"""Heat's FakeKeystoneClient, with one stack-domain user per resource (tests/heat/local_heat.py).

Heat's fake gives every stack user the ID '1234'. A wait condition handle's reference ID is
its user's ID and OS::Heat::WaitCondition finds its handle by that reference, so with two
handles in one stack (thunderdome-cluster.yaml's workers_handle and job_handle) both wait
conditions would resolve to whichever handle comes first. Keystone gives each user its own ID;
so does this fake.
"""
import uuid

from heat.engine.clients.os.keystone import fake_keystoneclient


class FakeKeystoneClient(fake_keystoneclient.FakeKeystoneClient):
    """FakeKeystoneClient whose stack users have distinct IDs, as Keystone's do."""

    def create_stack_domain_user(self, username, project_id, password=None):
        return uuid.uuid4().hex

    def create_stack_user(self, username, password=''):
        return uuid.uuid4().hex
