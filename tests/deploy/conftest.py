"""Deployment tests: the `deploy` marker selects the tests that build images and run the compose stack."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "deploy: builds the images and runs the compose stack (deselect with -m 'not deploy')",
    )
