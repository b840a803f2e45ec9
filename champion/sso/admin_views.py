"""/admin/sign-in: single sign-on as configured, and the department mapping (admins only)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from champion.admin.views import blueprint
from champion.auth.access import role_required
from champion.auth.models import Role
from champion.departments.models import Department
from champion.extensions import db
from champion.filters import sentence
from champion.sso import oidc, saml
from champion.sso.forms import MappingForm
from champion.sso.models import DepartmentMapping
from champion.sso.operations import MappingError, add_mapping, remove_mapping
from champion.sso.queries import department_mappings, departments
from champion.team.forms import ActionForm
from champion.urls import external_url


def _mapping_form() -> MappingForm:
    form = MappingForm()
    form.department.choices = [(d.id, d.name) for d in departments()]
    return form


@blueprint.route("/sign-in", methods=["GET", "POST"], endpoint="sso")
@role_required(Role.ADMIN)
def sso_settings():
    form = _mapping_form()
    if form.validate_on_submit():
        department = db.session.get(Department, form.department.data)
        try:
            add_mapping(form.value.data, department, current_user)
        except MappingError as exc:
            form.value.errors.append(sentence(exc))
        else:
            db.session.commit()
            flash(f"Sign-ins with {form.value.data!r} now join {department.name}.", "success")
            return redirect(url_for(".sso"))
    config = current_app.config
    return render_template(
        "sso/admin.html", form=form, mappings=department_mappings(), action=ActionForm(),
        oidc=oidc.oidc_settings(config), saml=saml.saml_settings(config),
        claim=config["CHAMPION_SSO_DEPARTMENT_CLAIM"],
        urls={"callback": external_url("sso.oidc_callback"),
              "metadata": external_url("sso.saml_metadata"),
              "acs": external_url("sso.saml_acs")},
    ), (422 if form.errors else 200)


@blueprint.post("/sign-in/mappings/<int:mapping_id>/remove")
@role_required(Role.ADMIN)
def sso_mapping_remove(mapping_id: int):
    mapping = db.get_or_404(DepartmentMapping, mapping_id)
    if ActionForm().validate_on_submit():
        value, department = mapping.value, mapping.department.name
        remove_mapping(mapping, current_user)
        db.session.commit()
        flash(f"Sign-ins with {value!r} no longer join {department}; its members stay.",
              "success")
    return redirect(url_for(".sso"))
