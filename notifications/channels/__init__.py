"""Delivery channels: email over SMTP and a signed JSON webhook."""
