"""Code the three services share: the DynamoDB event store and the messaging backbone."""
