"""A local scale-out deployment on one machine: Swift (S3), PostgreSQL, server replicas, nginx."""
