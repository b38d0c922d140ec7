"""Errors of device registration and station sessions."""

from backend.core.errors import AuthenticationFailed


class DeviceTokenRefused(AuthenticationFailed):
    code = "DEVICE_TOKEN_REFUSED"
    zh = "设备令牌无效或已被吊销"
    en = "The device token is unknown or revoked"
