"""Sharing gateway: releases a department's data only under a live, on-chain grant."""
