"""Site admins: the return catalogue, term dates per academic year, and each deadline's dates.

Every change is audited by the model functions. Changing the catalogue or term dates does
not move existing deadlines by itself: "Create or update deadlines" (or
``flask --app app deadlines generate YEAR``) applies them, leaving moved ones alone.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from commands.deadlines import date_settings
from domain.dates import (
    InvalidTermDates,
    TermDates,
    academic_year_label,
    academic_year_of,
    default_term_dates,
    uk_today,
)
from domain.deadline_rules import DEFAULT_CATALOGUE, Audience, CatalogueEntry
from forms.deadlines import (
    RULE_PARTS,
    TERM_DATE_LABELS,
    AddInstanceForm,
    ButtonForm,
    CancelInstanceForm,
    CatalogueEntryForm,
    GenerateForm,
    MoveInstanceForm,
    TermDatesForm,
)
from models import deadline_catalogue, deadline_instances, term_dates
from web.access import site_admin
from web.database import get_db

bp = Blueprint("deadlines_admin", __name__, url_prefix="/deadlines-admin")

MIN_YEAR, MAX_YEAR = 2000, 2097


def _year_or_404(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    return year


def _this_year() -> int:
    return academic_year_of(uk_today())


# ----------------------------------------------------------------------------- catalogue


@bp.get("")
@site_admin
def catalogue():
    entries = deadline_catalogue.list_entries(get_db())
    return render_template(
        "deadlines_admin/catalogue.html",
        entries=entries,
        describe_rule=deadline_catalogue.describe_rule,
        describe_audience=deadline_catalogue.describe_audience,
        return_types=deadline_catalogue.RETURN_TYPE_LABELS,
        sources=deadline_catalogue.SOURCE_LABELS,
        year=_this_year(),
        year_label=academic_year_label,
    )


def _form_data(entry: dict) -> dict:
    dfe = deadline_catalogue.dfe_numbers(get_db(), entry["chosen"])
    audience = entry["audience"]
    return {
        "code": entry["code"], "name": entry["name"], "description": entry["description"], "source": entry["source"],
        "return_type": entry["return_type"], "phases": audience.get("phases", []),
        "year_groups": [str(y) for y in audience.get("year_groups", [])],
        "academies": "yes" if audience.get("academies", True) else "no",
        "types": "\n".join(entry["audience_types"]), "chosen_only": "yes" if entry["chosen_only"] else "no",
        "chosen": "\n".join(f"{n[:3]}/{n[3:]}" for n in dfe), "active": bool(entry["active"]),
        **CatalogueEntryForm.rule_data(entry["rule"]),
    }  # fmt: skip


def _chosen_ids(form: CatalogueEntryForm) -> list[int] | None:
    numbers = form.dfe_numbers()
    if not numbers:
        return []
    found = deadline_catalogue.schools_by_dfe_number(get_db(), numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        form.chosen.errors.append("No school has DfE number " + ", ".join(f"{n[:3]}/{n[3:]}" for n in missing[:10]))
        return None
    return [found[n] for n in numbers]


def _entry_from(form: CatalogueEntryForm, code: str) -> CatalogueEntry | None:
    """Build the catalogue entry from a validated form, adding field errors when it does not fit."""
    rule = form.due_rule()
    if rule is None:
        return None
    audience = Audience(
        phases=frozenset(form.phases.data or ()),
        year_groups=frozenset(int(y) for y in form.year_groups.data or ()),
        academies=form.academies.data == "yes",
    )
    try:
        return CatalogueEntry(
            code=code, name=form.name.data, description=form.description.data or "", audience=audience, rule=rule,
            return_type=form.return_type.data, source=form.source.data,
        )  # fmt: skip
    except (TypeError, ValueError) as error:
        form.code.errors.append(f"The return is not valid: {error}")
        return None


def _save(form: CatalogueEntryForm, code: str, catalogue_id: int | None) -> dict | None:
    entry = _entry_from(form, code)
    chosen = _chosen_ids(form)
    if entry is None or chosen is None:
        return None
    try:
        return deadline_catalogue.save(
            get_db(), entry, catalogue_id=catalogue_id, audience_types=form.type_names(),
            chosen_only=form.chosen_only.data == "yes", chosen=chosen, active=form.active.data,
            actor=current_user.row,
        )  # fmt: skip
    except deadline_catalogue.CatalogueError as error:
        target = form.chosen if "school" in str(error).lower() else form.code
        target.errors.append(str(error))
        return None


def _entry_page(form: CatalogueEntryForm, entry: dict | None):
    status = 400 if form.errors else 200
    return render_template("deadlines_admin/entry.html", form=form, entry=entry, parts=RULE_PARTS,
                           describe_rule=deadline_catalogue.describe_rule), status  # fmt: skip


@bp.route("/returns/new", methods=["GET", "POST"])
@site_admin
def new_entry():
    form = CatalogueEntryForm(data={"academies": "yes", "chosen_only": "no", "active": True, "source": "local",
                                    **CatalogueEntryForm.rule_data(DEFAULT_CATALOGUE[0].rule.to_dict())})  # fmt: skip
    if form.validate_on_submit():
        if not form.code.data:
            form.code.errors.append("Enter a code")
        else:
            saved = _save(form, form.code.data, None)
            if saved:
                flash(f"{saved['name']} added. Create or update the year's deadlines to give it dates.", "success")
                return redirect(url_for("deadlines_admin.catalogue"))
    return _entry_page(form, None)


@bp.route("/returns/<int:catalogue_id>", methods=["GET", "POST"])
@site_admin
def edit_entry(catalogue_id: int):
    entry = deadline_catalogue.get(get_db(), catalogue_id)
    if entry is None:
        abort(404)
    form = CatalogueEntryForm(data=_form_data(entry))
    if form.validate_on_submit():
        saved = _save(form, entry["code"], catalogue_id)
        if saved:
            flash(f"{saved['name']} saved. Create or update the year's deadlines to apply new dates.", "success")
            return redirect(url_for("deadlines_admin.catalogue"))
    return _entry_page(form, entry)


# ----------------------------------------------------------------------------- term dates


@bp.get("/term-dates")
@site_admin
def term_dates_now():
    return redirect(url_for("deadlines_admin.edit_term_dates", year=_this_year()))


@bp.route("/term-dates/<int:year>", methods=["GET", "POST"])
@site_admin
def edit_term_dates(year: int):
    year = _year_or_404(year)
    db = get_db()
    current = term_dates.get(db, year)
    form = TermDatesForm(data={name: getattr(current, name) for name in TERM_DATE_LABELS})
    problem = None
    if form.validate_on_submit():
        try:
            chosen = TermDates(academic_year=year, **{name: getattr(form, name).data for name in TERM_DATE_LABELS})
        except InvalidTermDates as error:
            problem = _term_dates_problem(str(error))
        else:
            term_dates.save(db, chosen, actor=current_user.row)
            flash(f"Term dates for {academic_year_label(year)} saved. Create or update the year's deadlines to apply "
                  "them.", "success")  # fmt: skip
            return redirect(url_for("deadlines_admin.edit_term_dates", year=year))
    page = render_template(
        "deadlines_admin/term_dates.html", form=form, year=year, label=academic_year_label(year), problem=problem,
        stored=term_dates.stored(db, year), defaults=default_term_dates(year), names=TERM_DATE_LABELS,
        reset_form=ButtonForm(),
    )  # fmt: skip
    return page, 400 if (form.errors or problem) else 200


def _term_dates_problem(message: str) -> str:
    """InvalidTermDates text with field names replaced by their labels."""
    for name in sorted(TERM_DATE_LABELS, key=len, reverse=True):
        message = message.replace(name, TERM_DATE_LABELS[name].lower())
    return message[0].upper() + message[1:]


@bp.post("/term-dates/<int:year>/reset")
@site_admin
def reset_term_dates(year: int):
    year = _year_or_404(year)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if term_dates.reset(get_db(), year, actor=current_user.row):
        flash(f"Term dates for {academic_year_label(year)} are back to the computed defaults.", "success")
    return redirect(url_for("deadlines_admin.edit_term_dates", year=year))


# ----------------------------------------------------------------------------- deadlines (instances)


@bp.get("/instances")
@site_admin
def instances():
    year = request.args.get("year", type=int) or _this_year()
    year = _year_or_404(year)
    found = deadline_instances.list_instances(get_db(), academic_year=year)
    return render_template(
        "deadlines_admin/instances.html", instances=found, year=year, label=academic_year_label(year),
        generate_form=GenerateForm(data={"academic_year": year}),
    )  # fmt: skip


@bp.post("/instances/generate")
@site_admin
def generate():
    form = GenerateForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0])
        return redirect(url_for("deadlines_admin.instances"))
    year = form.academic_year.data
    settings = date_settings(current_app.config)
    summary = deadline_instances.generate(get_db(), year, actor=current_user.row, **settings)
    flash(
        f"{academic_year_label(year)}: {summary.created} created, {summary.updated} updated, {summary.unchanged} "
        f"unchanged, {summary.kept_moved} kept as moved, {summary.cancelled} cancelled.",
        "success",
    )
    return redirect(url_for("deadlines_admin.instances", year=year))


def _instance_or_404(instance_id: int) -> dict:
    instance = deadline_instances.get_instance(get_db(), instance_id)
    if instance is None:
        abort(404)
    return instance


def _instance_page(instance: dict, move: MoveInstanceForm, cancel: CancelInstanceForm, status: int = 200):
    page = render_template(
        "deadlines_admin/instance.html", instance=instance, move=move, cancel=cancel, restore_form=ButtonForm()
    )
    return page, status


@bp.route("/instances/<int:instance_id>", methods=["GET", "POST"])
@site_admin
def edit_instance(instance_id: int):
    instance = _instance_or_404(instance_id)
    move = MoveInstanceForm(
        data={"opens_on": instance["opens_on"], "due_on": instance["due_on"],
              "external_due_on": instance["external_due_on"]},
    )  # fmt: skip
    cancel = CancelInstanceForm(formdata=None)
    if move.validate_on_submit():
        try:
            deadline_instances.move_instance(
                get_db(), instance_id, opens_on=move.opens_on.data, due_on=move.due_on.data,
                external_due_on=move.external_due_on.data, reason=move.reason.data, actor=current_user.row,
            )  # fmt: skip
        except deadline_instances.InstanceError as error:
            move.due_on.errors.append(str(error))
        else:
            flash(f"{instance['name']} ({instance['period_label']}): new dates saved.", "success")
            return redirect(url_for("deadlines_admin.instances", year=instance["academic_year"]))
    return _instance_page(instance, move, cancel, 400 if move.errors else 200)


@bp.post("/instances/<int:instance_id>/cancel")
@site_admin
def cancel_instance(instance_id: int):
    instance = _instance_or_404(instance_id)
    cancel = CancelInstanceForm()
    if cancel.validate_on_submit():
        try:
            deadline_instances.cancel_instance(
                get_db(), instance_id, reason=cancel.cancel_reason.data, actor=current_user.row
            )
        except deadline_instances.InstanceError as error:
            cancel.cancel_reason.errors.append(str(error))
        else:
            flash(f"{instance['name']} ({instance['period_label']}) cancelled.", "success")
            return redirect(url_for("deadlines_admin.instances", year=instance["academic_year"]))
    move = MoveInstanceForm(formdata=None, data={"opens_on": instance["opens_on"], "due_on": instance["due_on"],
                                                 "external_due_on": instance["external_due_on"]})  # fmt: skip
    return _instance_page(instance, move, cancel, 400)


@bp.post("/instances/<int:instance_id>/restore")
@site_admin
def restore_instance(instance_id: int):
    instance = _instance_or_404(instance_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        deadline_instances.restore_instance(get_db(), instance_id, actor=current_user.row)
    except deadline_instances.InstanceError as error:
        flash(str(error))
    else:
        flash(f"{instance['name']} ({instance['period_label']}) restored.", "success")
    return redirect(url_for("deadlines_admin.edit_instance", instance_id=instance_id))


@bp.route("/instances/new", methods=["GET", "POST"])
@site_admin
def new_instance():
    entries = [e for e in deadline_catalogue.list_entries(get_db()) if e["active"]]
    form = AddInstanceForm(data={"academic_year": _this_year()})
    form.catalogue_id.choices = [SelectChoice(str(e["id"]), e["name"]) for e in entries]
    if form.validate_on_submit():
        try:
            added = deadline_instances.add_instance(
                get_db(), catalogue_id=form.catalogue_id.data, academic_year=form.academic_year.data,
                period_label=form.period_label.data, opens_on=form.opens_on.data, due_on=form.due_on.data,
                external_due_on=form.external_due_on.data, actor=current_user.row,
            )  # fmt: skip
        except deadline_instances.InstanceError as error:
            form.due_on.errors.append(str(error))
        else:
            flash(f"{added['name']} ({added['period_label']}) added.", "success")
            return redirect(url_for("deadlines_admin.instances", year=added["academic_year"]))
    return render_template("deadlines_admin/new_instance.html", form=form), 400 if form.errors else 200
