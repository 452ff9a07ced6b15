"""The access history writes an entry's changes as a clinician would: codes that are not a model's
choices take the labels their apps registered, any other code its words, scores two decimals."""

from osseo.audit.templatetags.audit_words import change_value


def test_an_operative_record_s_steps_and_anaesthesia_read_in_words(db):
    assert change_value(["bone_preparation", "implant_insertion", "soft_tissue"]) == (
        "Bone preparation; Implant insertion; Muscle and soft-tissue reorganisation"
    )
    assert change_value("general_epidural") == "General anaesthesia with an epidural block"
    assert change_value("press_fit") == "Press-fit"


def test_a_load_log_s_flag_reads_as_the_rehabilitation_page_says_it(db):
    assert change_value(["pain_over_gate"]) == "Pain over the gate: hold, do not advance"


def test_a_code_no_app_labelled_reads_as_words_and_a_score_to_two_decimals(db):
    assert change_value("some_new_code") == "Some new code"
    assert change_value({"role_emotional": 66.66666666666667}) == "Role emotional: 66.67"
    assert change_value(1500000.0) == "1,500,000"
    assert change_value("Free text, as typed") == "Free text, as typed"
