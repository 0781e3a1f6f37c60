"""The cluster service's pure domain: clusters, pools and their policy, cluster profiles.

Nothing here reads the clock, the environment or the network: time is always an argument.
"""
