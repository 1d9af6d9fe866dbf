"""bench/run's modules: osops against python-openstackclient and against the floor."""
