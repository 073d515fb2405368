from drf_spectacular.extensions import OpenApiAuthenticationExtension


class KioskKeyScheme(OpenApiAuthenticationExtension):
    target_class = "kiosks.authentication.KioskKeyAuthentication"
    name = "kioskKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Kiosk <device key>`, given once when the kiosk is registered.",
        }
