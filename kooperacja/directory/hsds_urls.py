"""/api/hsds/: the HSDS 3.0 API. Paths as the standard names them (no trailing slash; one is tolerated)."""

from django.urls import path, re_path

from kooperacja.directory import hsds

app_name = "hsds"

UUID_ISH = r"(?P<pk>[^/]+)"

urlpatterns = [
    path("", hsds.root, name="root"),
    re_path(r"^services/?$", hsds.service_list, name="services"),
    re_path(rf"^services/{UUID_ISH}/?$", hsds.service_detail, name="service"),
    re_path(r"^organizations/?$", hsds.organization_list, name="organizations"),
    re_path(rf"^organizations/{UUID_ISH}/?$", hsds.organization_detail, name="organization"),
    re_path(r"^service_at_locations/?$", hsds.service_at_location_list, name="service_at_locations"),
    re_path(rf"^service_at_locations/{UUID_ISH}/?$", hsds.service_at_location_detail, name="service_at_location"),
    re_path(r"^taxonomies/?$", hsds.taxonomy_list, name="taxonomies"),
    re_path(rf"^taxonomies/{UUID_ISH}/?$", hsds.taxonomy_detail, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", hsds.taxonomy_term_list, name="taxonomy_terms"),
    re_path(rf"^taxonomy_terms/{UUID_ISH}/?$", hsds.taxonomy_term_detail, name="taxonomy_term"),
    re_path(r"^(?P<rest>.+)$", hsds.not_found),
]
