"""Human labels, in Indonesian and English, for the facts, their listed values, the documents and the parameters.

Explanations, reason messages and the words of a benefit's basis use them, so an officer reads ``upah terlapor
Rp5.000.000`` instead of ``wage 5000000`` and a message never shows an identifier such as ``police_report``. A
fact or a listed value without a label is shown by its name (engine tests use made-up parameters); the shipped
rules must label everything they read (``tests/engine/test_labels.py``).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any, NamedTuple

from . import wording
from .fact_catalogue import FACTS


class Label(NamedTuple):
    """A name in both languages, and how its value is written (``rupiah``, ``months``, ``years``, ...)."""

    id: str
    en: str
    unit: str = ""

    def text(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.id if lang == "id" else self.en


_UNITS = {"months": ("bulan", "months", "month"), "years": ("tahun", "years", "year"),
          "days": ("hari", "days", "day"), "children": ("anak", "children", "child")}


def _l(label_id: str, label_en: str, unit: str = "") -> Label:
    return Label(label_id, label_en, unit)


FACT_LABELS: dict[str, Label] = {
    "case_kind": _l("jenis perkara", "kind of case"),
    "checked_on": _l("tanggal pemeriksaan", "day of the check"),
    "event_date": _l("tanggal peristiwa", "date of the event"),
    "claim_type": _l("jenis klaim", "claim type"),
    "filed_on": _l("tanggal pengajuan klaim", "filing date"),
    "claim_age_years": _l("selang dari peristiwa sampai pengajuan", "time from the event to the filing", "years"),
    "months_event_to_filing": _l("selang dari peristiwa sampai pengajuan", "time from the event to the filing",
                                 "months"),
    "duplicate_of": _l("klaim pertama atas peristiwa yang sama", "first claim for the same event"),
    "documents": _l("dokumen yang dilampirkan", "documents attached"),
    "participant_registered": _l("terdaftar sebagai peserta", "registered as a participant"),
    "segment": _l("segmen peserta", "participant segment"),
    "category": _l("kelompok peserta", "participant group"),
    "programs": _l("program yang diikuti", "programmes enrolled in"),
    "birth_date": _l("tanggal lahir", "birth date"),
    "age_years": _l("usia", "age", "years"),
    "membership_start": _l("awal kepesertaan", "start of membership"),
    "membership_months": _l("masa kepesertaan", "membership", "months"),
    "employment_ended_on": _l("akhir hubungan kerja", "end of employment"),
    "wage": _l("upah terlapor", "reported wage"),
    "actual_wage": _l("upah sebenarnya", "actual wage"),
    "declared_income": _l("penghasilan yang dilaporkan", "declared income"),
    "payer": _l("pembayar iuran", "contribution payer"),
    "contribution_overdue_months": _l("iuran tertunggak", "contributions overdue", "months"),
    "contribution_consecutive_unpaid_months": _l("iuran tidak dibayar berturut-turut",
                                                 "consecutive months unpaid", "months"),
    "contribution_paid_months": _l("iuran lunas", "contributions paid", "months"),
    "contribution_active": _l("kepesertaan aktif", "membership active"),
    "contribution_period_months": _l("masa iur", "contribution period", "months"),
    "contribution_ever_paid": _l("pernah membayar iuran", "a contribution was ever paid"),
    "contribution_reactivated_on": _l("aktif kembali sejak", "active again from"),
    "employer_scale": _l("skala usaha", "business scale"),
    "employer_risk_class": _l("kelompok risiko JKK", "JKK risk class"),
    "state_employer": _l("pemberi kerja penyelenggara negara", "state employer"),
    "project_covered": _l("proyek melindungi pekerjanya", "project covers its workers"),
    "project_covered_from": _l("proyek melindungi pekerjanya sejak", "project covers its workers from"),
    "project_registration_deadline": _l("batas waktu pendaftaran proyek", "project registration deadline"),
    "project_registered_in_time": _l("proyek didaftarkan tepat waktu", "project registered in time"),
    "project_days_late": _l("keterlambatan pendaftaran proyek", "lateness of the project registration", "days"),
    "project_registered": _l("proyek terdaftar", "project registered"),
    "project_registered_on": _l("tanggal pendaftaran proyek", "project registration date"),
    "project_past_deadline": _l("batas waktu pendaftaran proyek terlewati", "project past its registration deadline"),
    "contract_value": _l("nilai kontrak", "contract value"),
    "project_contribution_jkk": _l("iuran JKK proyek", "project JKK contribution"),
    "project_contribution_jkm": _l("iuran JKM proyek", "project JKM contribution"),
    "project_contribution_total": _l("iuran proyek", "project contribution"),
    **{name: label for n in range(1, 4) for name, label in (
        (f"project_termin_{n}_amount", _l(f"nilai termin {n}", f"termin {n} amount")),
        (f"project_termin_{n}_due_on", _l(f"jatuh tempo termin {n}", f"termin {n} due")),
        (f"project_termin_{n}_paid", _l(f"termin {n} yang dibayar", f"termin {n} paid")),
        (f"project_termin_{n}_paid_on", _l(f"termin {n} lunas pada", f"termin {n} paid in full on")))},
    "project_first_termin_outstanding": _l("kekurangan termin pertama", "first termin outstanding"),
    "project_termins_overdue": _l("termin yang terlambat", "termins overdue"),
    "project_overdue_amount": _l("tunggakan termin", "termins overdue, amount"),
    "purpose": _l("keperluan pemeriksaan", "purpose of the check"),
    "employer_registered": _l("pemberi kerja terdaftar", "employer registered"),
    "employer_programs_missing": _l("program yang belum diikuti", "programmes missing"),
    "employer_overdue_months": _l("iuran tertunggak", "contributions overdue", "months"),
    "employer_overdue_periods": _l("bulan iuran tertunggak", "months overdue"),
    "employer_arrears_amount": _l("tunggakan iuran", "contribution arrears"),
    "clearance_allowed_overdue_months": _l("tunggakan yang diperbolehkan", "overdue months allowed", "months"),
    "contractor_projects": _l("proyek kontraktor", "contractor's projects"),
    "projects_unregistered": _l("proyek yang belum didaftarkan", "projects not registered"),
    "projects_unpaid": _l("proyek dengan termin belum dibayar", "projects with unpaid termins"),
    "projects_unpaid_amount": _l("termin proyek yang belum dibayar", "unpaid project termins"),
    "incident_kind": _l("jenis kejadian", "kind of event"),
    "reported_on": _l("tanggal laporan tahap I", "stage-I report date"),
    "route_deviation": _l("menyimpang dari jalur biasa", "off the usual route"),
    "suspected_work_accident": _l("diajukan sebagai dugaan kecelakaan kerja", "filed as a suspected work accident"),
    "suspected_decision_due": _l("batas waktu kesimpulan dugaan kecelakaan kerja",
                                 "deadline of the conclusion on the suspected work accident"),
    "review_suspected": _l("kesimpulan penyelia atas dugaan kecelakaan kerja",
                           "supervisor's conclusion on the suspected work accident"),
    "diagnosed_on": _l("tanggal diagnosis", "diagnosis date"),
    "pak_years_after_employment": _l("selang dari akhir hubungan kerja sampai diagnosis",
                                     "time from the end of employment to the diagnosis", "years"),
    "incident_flags": _l("petunjuk dalam kronologi", "what the chronology suggests"),
    "outcome_type": _l("akibat kecelakaan", "outcome of the accident"),
    "incapacity_months": _l("lama tidak mampu bekerja", "time unfit for work", "months"),
    "disability_pct": _l("persentase cacat", "disability percentage", "percent"),
    "function_loss_pct": _l("persentase hilangnya fungsi", "loss of function", "percent"),
    "disability_item": _l("jenis cacat menurut tabel", "item of the disability table"),
    "left_handed": _l("kidal", "left-handed"),
    "disability_table_min": _l("persentase tabel terendah", "lowest table percentage", "percent"),
    "disability_table_max": _l("persentase tabel tertinggi", "highest table percentage", "percent"),
    "review_disability_pct": _l("temuan penyelia atas persentase cacat", "supervisor's finding on the disability "
                                                                         "percentage"),
    "transport_land": _l("biaya transportasi darat", "land transport costs"),
    "transport_sea": _l("biaya transportasi laut", "sea transport costs"),
    "transport_air": _l("biaya transportasi udara", "air transport costs"),
    "medical_costs": _l("biaya pengobatan", "medical costs"),
    "home_care_costs": _l("biaya perawatan di rumah", "home care costs"),
    "home_care_months": _l("lama perawatan di rumah", "duration of the home care", "months"),
    "aid_dentures": _l("biaya gigi tiruan", "costs of dentures"),
    "aid_hearing_aid": _l("biaya alat bantu dengar", "costs of hearing aids"),
    "aid_glasses": _l("biaya kacamata", "costs of glasses"),
    "death_cause": _l("sebab kematian", "cause of death"),
    "placement": _l("tahap penempatan", "placement phase"),
    "jht_reason": _l("alasan klaim JHT", "JHT claim reason"),
    "contractual_retirement_age": _l("usia pensiun menurut perjanjian kerja", "contractual retirement age", "years"),
    "review_retirement_age": _l("temuan penyelia atas usia pensiun", "supervisor's finding on the retirement age"),
    "jht_balance": _l("saldo JHT", "JHT balance"),
    "jht_partial_withdrawals": _l("pengambilan sebagian yang sudah dilakukan", "partial withdrawals already made"),
    "jht_claimable_from": _l("dapat diklaim mulai", "claimable from"),
    "jht_online_limit": _l("batas saldo JHT yang dibayar melalui JMO", "largest JHT balance the JMO app pays"),
    "heirs_count": _l("jumlah ahli waris", "heirs named"),
    "school_children": _l("anak yang berhak atas beasiswa", "children eligible for a scholarship", "children"),
    "scholarship_children_tk_sd": _l("anak di TK/SD", "children in TK/SD", "children"),
    "scholarship_children_smp": _l("anak di SMP", "children in SMP", "children"),
    "scholarship_children_sma": _l("anak di SMA", "children in SMA", "children"),
    "scholarship_children_university": _l("anak di perguruan tinggi", "children at university", "children"),
    "heir_class": _l("golongan ahli waris", "class of heirs"),
    "heirs_found": _l("ada ahli waris menurut urutan yang sah", "an heir in the legal order is named"),
    "heirs_entitled": _l("ahli waris yang berhak", "heirs entitled"),
    "assessment_type": _l("jenis perhitungan iuran", "kind of assessment"),
    "jkp_registered": _l("terdaftar dalam program JKP", "registered in JKP"),
    "industry": _l("bidang industri", "industry"),
    "active_workers": _l("pekerja aktif", "active workers"),
    "jkk_discount_eligible": _l("berhak atas diskon iuran JKK", "eligible for the JKK discount"),
    "assessment_due_on": _l("jatuh tempo iuran", "contribution due on"),
    "assessment_paid_on": _l("tanggal pembayaran iuran", "contribution paid on"),
    "months_late": _l("keterlambatan pembayaran", "lateness of the payment", "months"),
    "pmi_phase": _l("paket PMI", "PMI package"),
    "pmi_package_months": _l("masa paket penempatan", "placement package", "months"),
    "pmi_extra_months": _l("kelebihan masa kontrak dari paket", "contract months beyond the package", "months"),
    "employer_arrears_fine": _l("denda tunggakan iuran", "fine on the arrears"),
    "review_route_deviation": _l("temuan penyelia atas penyimpangan jalur", "supervisor's finding on the detour"),
    "review_exclusion": _l("temuan penyelia atas dugaan pengecualian", "supervisor's finding on the exclusion"),
    "review_accident_kind": _l("temuan penyelia atas hubungan kerja", "supervisor's finding on the work relation"),
    "review_rejection": _l("alasan penolakan oleh penyelia", "supervisor's reason to reject"),
    "documents_verified": _l("dokumen yang diverifikasi penyelia", "documents verified by a supervisor"),
}

RELATIONS: dict[str, Label] = {
    "spouse": _l("suami/istri", "spouse"), "child": _l("anak", "child"), "parent": _l("orang tua", "parent"),
    "grandchild": _l("cucu", "grandchild"), "grandparent": _l("kakek/nenek", "grandparent"),
    "sibling": _l("saudara kandung", "sibling"), "parent_in_law": _l("mertua", "parent-in-law"),
    "will_beneficiary": _l("penerima wasiat", "beneficiary of a will"),
}

DOCUMENT_LABELS: dict[str, Label] = {
    "kpj_card": _l("kartu peserta (KPJ)", "membership card (KPJ)"),
    "ktp": _l("KTP peserta", "participant's KTP"),
    "heir_ktp": _l("KTP ahli waris", "heir's KTP"),
    "family_card": _l("kartu keluarga", "family card"),
    "death_certificate": _l("akta kematian", "death certificate"),
    "heir_certificate": _l("surat keterangan ahli waris", "heir certificate"),
    "doctor_statement": _l("surat keterangan dokter", "doctor's statement"),
    "stage1_report_form": _l("formulir laporan tahap I", "stage-I report form"),
    "stage2_report_form": _l("formulir laporan tahap II", "stage-II report form"),
    "police_report": _l("laporan polisi", "police report"),
    "witness_statements": _l("keterangan dua orang saksi", "statements of two witnesses"),
    "attendance_record": _l("daftar hadir hari kejadian", "attendance record of the day"),
    "transport_receipts": _l("kuitansi biaya transportasi", "transport receipts"),
    "medical_receipts": _l("kuitansi biaya pengobatan", "medical receipts"),
    "resignation_certificate": _l("surat keterangan pengunduran diri", "resignation certificate"),
    "termination_proof": _l("bukti pemutusan hubungan kerja", "proof of termination"),
    "contract_end_proof": _l("bukti berakhirnya kontrak kerja", "proof of the end of the contract"),
    "bank_book": _l("buku tabungan", "bank book"),
    "npwp": _l("NPWP", "tax number (NPWP)"),
    "passport": _l("paspor", "passport"),
    "not_working_in_indonesia_statement": _l("pernyataan tidak lagi bekerja di Indonesia",
                                              "statement of no longer working in Indonesia"),
    "school_statement": _l("surat keterangan sekolah", "school statement"),
    "birth_certificate": _l("akta kelahiran", "birth certificate"),
    "student_card": _l("kartu pelajar", "student card"),
    "housing_purchase_documents": _l("dokumen pembelian atau kredit rumah", "housing purchase or loan documents"),
    "employment_status_certificate": _l("surat keterangan status kerja", "employment status certificate"),
    "project_registration_proof": _l("bukti pendaftaran proyek", "project registration proof"),
    "project_payment_proof": _l("bukti pembayaran iuran proyek", "project payment proof"),
    "placement_death_letter": _l("surat kematian dari perwakilan RI", "death letter from the Indonesian mission"),
    "retirement_age_document": _l("perjanjian kerja, peraturan perusahaan atau perjanjian kerja bersama yang memuat "
                                  "usia pensiun", "employment contract, company regulation or collective agreement "
                                                  "stating the retirement age"),
}

# the named items of the disability table (REFERENCE section 4.4, decision D7)
DISABILITY_ITEMS: dict[str, Label] = {
    "both_eyes": _l("hilangnya penglihatan kedua mata", "loss of sight of both eyes"),
    "one_eye": _l("hilangnya penglihatan sebelah mata", "loss of sight of one eye"),
    "hearing_both_ears": _l("hilangnya pendengaran kedua telinga", "loss of hearing of both ears"),
    "hearing_one_ear": _l("hilangnya pendengaran sebelah telinga", "loss of hearing of one ear"),
    "scalp": _l("hilangnya kulit kepala", "loss of the scalp"),
    "both_ear_lobes": _l("hilangnya kedua daun telinga", "loss of both ear lobes"),
    "one_ear_lobe": _l("hilangnya sebelah daun telinga", "loss of one ear lobe"),
    "nose_tip": _l("hilangnya ujung hidung", "loss of the tip of the nose"),
    "smell": _l("hilangnya indera penciuman", "loss of the sense of smell"),
    "colour_vision": _l("hilangnya kemampuan membedakan warna", "loss of colour vision"),
    "right_arm_from_shoulder": _l("lengan kanan dari sendi bahu ke bawah", "right arm from the shoulder down"),
    "left_arm_from_shoulder": _l("lengan kiri dari sendi bahu ke bawah", "left arm from the shoulder down"),
}

VALUE_LABELS: dict[str, dict[str, Label]] = {
    "case_kind": {"claim": _l("klaim", "claim"), "project_coverage": _l("perlindungan proyek", "project coverage"),
                  "clearance": _l("keterangan kepatuhan", "clearance"),
                  "contribution_assessment": _l("perhitungan iuran", "contribution assessment")},
    "segment": {"PU": _l("penerima upah (PU)", "wage earner (PU)"),
                "BPU": _l("bukan penerima upah (BPU)", "non-wage earner (BPU)"),
                "JAKON": _l("pekerja jasa konstruksi (JAKON)", "construction worker (JAKON)"),
                "PMI": _l("pekerja migran Indonesia (PMI)", "Indonesian migrant worker (PMI)")},
    "category": {"karyawan": _l("karyawan", "employee"), "non_asn": _l("pegawai non-ASN", "non-civil-service staff"),
                 "perangkat_desa": _l("perangkat desa", "village official"),
                 "penyelenggara_pemilu": _l("penyelenggara pemilu", "election worker"),
                 "pekerja_konstruksi": _l("pekerja konstruksi", "construction worker"),
                 "petani": _l("petani", "farmer"), "pekebun": _l("pekebun", "smallholder planter"),
                 "nelayan": _l("nelayan", "fisher"), "ojek": _l("pengemudi ojek", "motorcycle taxi driver"),
                 "pedagang": _l("pedagang", "trader"), "buruh_harian": _l("buruh harian", "day labourer"),
                 "pekerja_mandiri": _l("pekerja mandiri", "self-employed worker"),
                 "pemberi_kerja": _l("pemberi kerja perorangan", "individual employer"),
                 "pmi": _l("pekerja migran Indonesia", "Indonesian migrant worker")},
    "payer": {"self": _l("peserta sendiri", "the participant"), "employer": _l("pemberi kerja", "the employer"),
              "apbd": _l("APBD", "APBD"), "apbdes": _l("APBDes", "APBDes"), "csr": _l("dana CSR", "CSR funds")},
    "employer_scale": {"micro": _l("mikro", "micro"), "small": _l("kecil", "small"),
                       "medium": _l("menengah", "medium"), "large": _l("besar", "large")},
    "purpose": {"permit_issue": _l("penerbitan izin", "issuing a permit"),
                "permit_renewal": _l("perpanjangan izin", "renewing a permit")},
    "incident_kind": {
        "workplace": _l("kecelakaan karena pekerjaan atau di tempat kerja", "accident from work or at the workplace"),
        "commute": _l("kecelakaan dalam perjalanan antara rumah dan tempat kerja", "accident on the commute"),
        "business_trip": _l("kecelakaan dalam perjalanan dinas", "accident on a business trip"),
        "authorized_break": _l("kecelakaan saat istirahat atau keperluan mendesak atas izin pemberi kerja",
                               "accident in a break or an urgent errand with the employer's permission"),
        "occupational_disease": _l("penyakit akibat kerja", "occupational disease"),
        "sudden_work_death": _l("meninggal mendadak akibat pekerjaan", "sudden death caused by work")},
    "incident_flags": {"self_inflicted": _l("sengaja melukai diri", "self-harm"),
                       "intoxication": _l("mabuk atau pengaruh zat", "intoxication"),
                       "fight": _l("perkelahian", "a fight"), "crime": _l("tindak pidana", "a crime")},
    "outcome_type": {"recovered": _l("sembuh", "recovered"),
                     "temporary_incapacity": _l("sementara tidak mampu bekerja", "temporarily unfit for work"),
                     "partial_disability": _l("cacat sebagian", "partial disability"),
                     "total_disability": _l("cacat total tetap", "total permanent disability"),
                     "death": _l("meninggal dunia", "death")},
    "death_cause": {"natural": _l("bukan karena kecelakaan kerja", "not a work accident"),
                    "work_accident": _l("kecelakaan kerja", "a work accident")},
    "placement": {"pre": _l("sebelum penempatan", "before placement"),
                  "during": _l("selama penempatan", "during placement"),
                  "post": _l("setelah penempatan", "after placement")},
    "jht_reason": {
        "retirement": _l("mencapai usia pensiun", "retirement age"),
        "resignation": _l("mengundurkan diri", "resignation"),
        "termination": _l("pemutusan hubungan kerja", "termination of employment"),
        "contract_end": _l("berakhirnya perjanjian kerja waktu tertentu", "end of a fixed-term contract"),
        "total_disability": _l("cacat total tetap", "total permanent disability"),
        "death": _l("meninggal dunia", "death"),
        "leaving_indonesia": _l("meninggalkan Indonesia untuk selamanya", "leaving Indonesia for good"),
        "partial_housing": _l("pengambilan sebagian untuk perumahan", "partial withdrawal for housing"),
        "partial_other": _l("pengambilan sebagian untuk persiapan hari tua",
                            "partial withdrawal for other retirement preparation"),
        "bpu_stopped": _l("peserta BPU berhenti bekerja", "a BPU participant who stopped working")},
    "assessment_type": {"pu_month": _l("iuran bulanan penerima upah", "a wage earner's month"),
                        "bpu_month": _l("iuran bulanan bukan penerima upah", "a non-wage earner's month"),
                        "pmi": _l("paket pekerja migran", "a migrant worker's package"),
                        "jakon_project": _l("proyek jasa konstruksi", "a construction project")},
    "industry": {"food_beverage_tobacco": _l("makanan, minuman dan tembakau", "food, beverages and tobacco"),
                 "textile_apparel": _l("tekstil dan pakaian jadi", "textiles and apparel"),
                 "leather": _l("kulit dan barang dari kulit", "leather"), "footwear": _l("alas kaki", "footwear"),
                 "toys": _l("mainan anak", "toys"), "furniture": _l("furnitur", "furniture"),
                 "other": _l("industri lain", "another industry")},
    "pmi_phase": {"pre_placement": _l("sebelum penempatan", "before placement"),
                  "placement": _l("selama dan setelah penempatan", "during and after placement")},
    "review_route_deviation": {"accepted": _l("diterima sebagai wajar", "accepted as reasonable"),
                               "not_accepted": _l("tidak diterima", "not accepted")},
    "review_exclusion": {"confirmed": _l("terbukti", "confirmed"), "refuted": _l("tidak terbukti", "refuted")},
    "disability_item": DISABILITY_ITEMS,
    "review_disability_pct": {"accepted": _l("persentase dokter diterima", "the doctor's percentage accepted"),
                              "not_accepted": _l("persentase dokter tidak diterima",
                                                 "the doctor's percentage not accepted")},
    "review_suspected": {"work_accident": _l("kecelakaan kerja", "a work accident"),
                         "not_work_accident": _l("bukan kecelakaan kerja", "not a work accident")},
    "review_retirement_age": {"reached": _l("telah mencapai usia pensiun", "retirement age reached"),
                              "not_reached": _l("belum mencapai usia pensiun", "retirement age not reached")},
    "review_accident_kind": {"work_related": _l("terjadi dalam hubungan kerja", "in the employment relationship"),
                             "not_work_related": _l("tidak terjadi dalam hubungan kerja",
                                                    "not in the employment relationship")},
    "documents": DOCUMENT_LABELS,
    "documents_verified": DOCUMENT_LABELS,
    "heirs_entitled": RELATIONS,
}

PARAMETER_LABELS: dict[str, Label] = {
    "clearance.allowed_overdue_months.national.months": _l("tunggakan yang diperbolehkan secara nasional",
                                                           "overdue months allowed nationally", "months"),
    "jakon.contract_tiers.jkk_rates": _l("tarif JKK per lapis nilai kontrak", "JKK rate per contract slice"),
    "jakon.contract_tiers.jkm_rates": _l("tarif JKM per lapis nilai kontrak", "JKM rate per contract slice"),
    "jakon.contract_tiers.upper_bounds": _l("batas atas lapis nilai kontrak", "upper bounds of the contract slices"),
    "jakon.registration_deadline.national.calendar_days": _l("batas waktu pendaftaran proyek (hari kalender)",
                                                             "project registration deadline (calendar days)", "days"),
    "jakon.registration_deadline.national.working_days": _l("batas waktu pendaftaran proyek (hari kerja)",
                                                            "project registration deadline (working days)", "days"),
    "jakon.registration_deadline.region_61.calendar_days": _l(
        "batas waktu pendaftaran proyek di Kalimantan Barat (hari kalender)",
        "project registration deadline in West Kalimantan (calendar days)", "days"),
    "jakon.termin_shares": _l("bagian iuran per termin", "share of the contribution per termin"),
    "contribution.bpu.jht_rate": _l("iuran JHT BPU", "BPU JHT rate"),
    "contribution.bpu.jkk_income_ceiling": _l("penghasilan tertinggi tabel JKK BPU", "highest income of the BPU JKK "
                                                                                       "table", "rupiah"),
    "contribution.bpu.jkk_income_floor": _l("penghasilan terendah tabel JKK BPU", "lowest income of the BPU JKK table",
                                            "rupiah"),
    "contribution.bpu.jkk_rate": _l("iuran JKK BPU", "BPU JKK rate"),
    "contribution.bpu.jkm_amount": _l("iuran JKM BPU", "BPU JKM contribution", "rupiah"),
    "contribution.jakon.jkk_wage_rate": _l("iuran JKK pekerja konstruksi dari upah", "construction JKK wage rate"),
    "contribution.jakon.jkm_wage_rate": _l("iuran JKM pekerja konstruksi dari upah", "construction JKM wage rate"),
    "contribution.pmi.extra_month": _l("iuran PMI per bulan kelebihan kontrak", "PMI contribution per extra month",
                                       "rupiah"),
    "contribution.pmi.package_12_months": _l("iuran paket PMI 12 bulan", "PMI 12-month package", "rupiah"),
    "contribution.pmi.package_24_months": _l("iuran paket PMI 24 bulan", "PMI 24-month package", "rupiah"),
    "contribution.pmi.package_6_months": _l("iuran paket PMI 6 bulan", "PMI 6-month package", "rupiah"),
    "contribution.pmi.pre_placement": _l("iuran PMI sebelum penempatan", "PMI pre-placement contribution", "rupiah"),
    "contribution.pu.fine_rate_per_month": _l("denda keterlambatan per bulan", "late fine per month"),
    "contribution.pu.jht_employer_rate": _l("iuran JHT pemberi kerja", "employer's JHT rate"),
    "contribution.pu.jht_worker_rate": _l("iuran JHT pekerja", "worker's JHT rate"),
    "contribution.pu.jkk_discount_factor": _l("bagian iuran JKK yang dibayar dengan diskon",
                                              "share of JKK payable with the discount"),
    "contribution.pu.jkk_discount_min_workers": _l("pekerja aktif paling sedikit untuk diskon JKK",
                                                   "fewest active workers for the JKK discount"),
    "contribution.pu.jkk_rates": _l("tarif JKK per kelompok risiko", "JKK rate by risk class"),
    "contribution.pu.jkm_rate": _l("iuran JKM", "JKM rate"),
    "contribution.pu.jp_employer_rate": _l("iuran JP pemberi kerja", "employer's JP rate"),
    "contribution.pu.jp_wage_cap": _l("batas upah JP", "JP wage cap", "rupiah"),
    "contribution.pu.jp_worker_rate": _l("iuran JP pekerja", "worker's JP rate"),
    "contribution.pu.relief_jkk_jkm_factor": _l("bagian iuran JKK dan JKM yang dibayar (relaksasi)",
                                                "share of JKK and JKM payable (relief)"),
    "contribution.pu.relief_jp_payable_factor": _l("bagian iuran JP yang dibayar (relaksasi)",
                                                   "share of JP payable (relief)"),
    "jht.npwp_threshold": _l("batas saldo JHT yang memerlukan NPWP", "JHT balance above which an NPWP is needed",
                             "rupiah"),
    "jht.partial.housing_rate": _l("bagian saldo untuk perumahan", "share of the balance for housing"),
    "jht.partial.min_membership_months": _l("masa kepesertaan minimum untuk pengambilan sebagian",
                                            "minimum membership for a partial withdrawal", "months"),
    "jht.partial.other_rate": _l("bagian saldo untuk persiapan hari tua",
                                 "share of the balance for retirement preparation"),
    "jht.resignation_claims_from": _l("klaim pengunduran diri dan PHK dibayar mulai",
                                      "resignation and termination claims paid from"),
    "jht.retirement_age": _l("usia pensiun", "retirement age", "years"),
    "jht.waiting_months": _l("masa tunggu setelah pengunduran diri atau PHK",
                             "waiting period after a resignation or termination", "months"),
    "jkk.claim_expiry_years": _l("batas waktu klaim JKK", "JKK claim time limit", "years"),
    "jkk.pmi_claim_expiry_years": _l("batas waktu klaim JKK pekerja migran", "JKK claim time limit of a migrant "
                                                                              "worker", "years"),
    "jkk.death.funeral": _l("biaya pemakaman", "funeral costs", "rupiah"),
    "jkk.death.minimum": _l("santunan kematian paling sedikit", "minimum death benefit", "rupiah"),
    "jkk.death.multiplier": _l("kelipatan upah santunan kematian", "death benefit in months of wage"),
    "jkk.death.periodic": _l("santunan berkala", "periodic benefit", "rupiah"),
    **{f"jkk.disability_table.{item}": _l(f"persentase cacat: {label.id}", f"disability percentage: {label.en}",
                                           "percent") for item, label in DISABILITY_ITEMS.items()},
    **{f"jkk.disability_table.left_handed.{item}": _l(f"persentase cacat bagi orang kidal: {label.id}",
                                                      f"disability percentage of a left-handed person: {label.en}",
                                                      "percent")
       for item, label in DISABILITY_ITEMS.items() if item.endswith("_arm_from_shoulder")},
    "jkk.home_care.cap": _l("batas biaya perawatan di rumah", "home care cap", "rupiah"),
    "jkk.home_care.max_months": _l("lama perawatan di rumah paling lama", "longest home care covered", "months"),
    "jkk.aids.dentures": _l("batas biaya gigi tiruan", "dentures cap", "rupiah"),
    "jkk.aids.hearing_aid": _l("batas biaya alat bantu dengar", "hearing aid cap", "rupiah"),
    "jkk.aids.glasses": _l("batas biaya kacamata", "glasses cap", "rupiah"),
    "jkk.suspected_decision_days": _l("batas waktu kesimpulan dugaan kecelakaan kerja sejak laporan tahap I",
                                      "time to conclude on a suspected work accident after the stage-I report",
                                      "days"),
    "jkk.pak_window_years": _l("batas waktu penyakit akibat kerja setelah hubungan kerja berakhir",
                               "occupational disease window after employment", "years"),
    "jkk.partial_disability.multiplier": _l("kelipatan upah cacat sebagian", "partial disability in months of wage"),
    "jkk.stage1_report_days": _l("batas waktu laporan tahap I", "stage-I report deadline", "days"),
    "jkk.stmb.months_first": _l("bulan pertama STMB", "first STMB months", "months"),
    "jkk.stmb.months_second": _l("bulan kedua STMB", "second STMB months", "months"),
    "jkk.stmb.rate_after": _l("persentase upah STMB berikutnya", "STMB share of the wage after that"),
    "jkk.stmb.rate_first": _l("persentase upah STMB bulan pertama", "STMB share of the wage, first months"),
    "jkk.stmb.rate_second": _l("persentase upah STMB bulan kedua", "STMB share of the wage, second months"),
    "jkk.total_disability.multiplier": _l("kelipatan upah cacat total tetap",
                                          "total disability in months of wage"),
    "jkk.total_disability.periodic": _l("santunan berkala cacat total tetap", "total disability periodic benefit",
                                        "rupiah"),
    "jkk.transport.air": _l("batas biaya transportasi udara", "air transport cap", "rupiah"),
    "jkk.transport.land": _l("batas biaya transportasi darat", "land transport cap", "rupiah"),
    "jkk.transport.sea": _l("batas biaya transportasi laut", "sea transport cap", "rupiah"),
    "jkm.funeral": _l("biaya pemakaman", "funeral costs", "rupiah"),
    "jkm.lump_sum": _l("santunan sekaligus", "lump sum", "rupiah"),
    "jkm.periodic": _l("santunan berkala", "periodic benefit", "rupiah"),
    "jkm.pmi_death_during_placement": _l("manfaat kematian PMI selama penempatan",
                                         "PMI death benefit during placement", "rupiah"),
    "jkm.scholarship_min_contribution_months": _l("masa iur minimum untuk beasiswa JKM",
                                                  "minimum contribution period for the JKM scholarship", "months"),
    "membership.bpu_inactive_after_unpaid_months": _l("batas bulan tidak membayar iuran BPU",
                                                      "BPU unpaid months before inactivity", "months"),
    "membership.employer_arrears_liable_months": _l("batas tunggakan pemberi kerja",
                                                    "employer arrears limit", "months"),
    "scholarship.lump_sum": _l("beasiswa sekaligus", "scholarship lump sum", "rupiah"),
    "scholarship.per_year.sma": _l("beasiswa SMA per tahun", "SMA scholarship per year", "rupiah"),
    "scholarship.per_year.smp": _l("beasiswa SMP per tahun", "SMP scholarship per year", "rupiah"),
    "scholarship.per_year.tk_sd": _l("beasiswa TK/SD per tahun", "TK/SD scholarship per year", "rupiah"),
    "scholarship.per_year.university": _l("beasiswa perguruan tinggi per tahun", "university scholarship per year",
                                          "rupiah"),
}


def fact_label(name: str, lang: str) -> str:
    """The label of a fact in ``lang`` (its name when it has none)."""
    label = FACT_LABELS.get(name)
    return label.text(lang) if label else name


def parameter_label(name: str, lang: str) -> str:
    """The label of a parameter in ``lang`` (its dotted name when it has none)."""
    label = PARAMETER_LABELS.get(name)
    return label.text(lang) if label else name


def value_label(fact: str, value: str, lang: str) -> str:
    """A listed value of ``fact`` in ``lang``, e.g. ``commute`` of ``incident_kind``; other text as it is."""
    label = VALUE_LABELS.get(fact, {}).get(value)
    return label.text(lang) if label else value


def document_text(requirement: str, lang: str) -> str:
    """A requirement text (``police_report|witness_statements``) in words: ``laporan polisi atau ...``."""
    joiner = " atau " if lang == "id" else " or "
    return joiner.join(value_label("documents", name, lang) for name in requirement.split("|"))


def _with_unit(text: str, unit: str, lang: str) -> str:
    if unit == "percent":
        return f"{text}%"
    words = _UNITS.get(unit)
    if not words:
        return text
    return f"{text} {words[0] if lang == 'id' else words[2] if text == '1' else words[1]}"


def show(fact: str, value: Any, lang: str, units: bool = True) -> str:
    """One fact's value as an officer reads it (``Rp5.000.000``, ``10 Maret 2024``, ``15 bulan``, ``ya``); a
    message whose text names the unit itself asks for the number alone (``units=False``)."""
    ftype = FACTS.get(fact)
    label = FACT_LABELS.get(fact)
    unit = label.unit if label else ""
    if isinstance(value, bool):
        return wording.yes_no(value, lang)
    if ftype is not None and ftype.kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return wording.date(day, lang)
    if isinstance(value, int | Fraction):
        if ftype is not None and ftype.unit == "rupiah":
            return wording.rupiah(value, lang)
        return _with_unit(wording.number(value, lang), unit if units else "", lang)
    if isinstance(value, list | tuple):
        return ", ".join(show_item(fact, v, lang) for v in value)
    if fact in VALUE_LABELS and isinstance(value, str) and ", " in value:  # a list kept as text (heirs_entitled)
        return ", ".join(value_label(fact, v, lang) for v in value.split(", "))
    if fact == "documents_missing":
        return ", ".join(document_text(v, lang) for v in str(value).split(", "))
    return value_label(fact, str(value), lang)


def show_item(fact: str, value: Any, lang: str) -> str:
    """One item of a list fact."""
    return value_label(fact, str(value), lang)


def show_parameter(name: str, value: Any, unit: str, lang: str, units: bool = True) -> str:
    """A parameter's value by its YAML unit: Rupiah as money, a fraction as a percentage, dates written out (a
    message whose text names the unit itself asks for the number alone, ``units=False``)."""
    label = PARAMETER_LABELS.get(name)
    if isinstance(value, dt.date):
        return wording.date(value, lang)
    if isinstance(value, tuple):
        return ", ".join(show_parameter(name, v, unit, lang, units) for v in value)
    if not isinstance(value, int | Fraction):
        return str(value)
    kind = unit.lower()
    if (label is not None and label.unit == "rupiah") or kind.startswith("rupiah"):
        return wording.rupiah(value, lang)
    if "fraction" in kind or "share" in kind:
        return wording.percent(value, lang)
    return _with_unit(wording.number(value, lang), label.unit if label and units else "", lang)


def fact_phrase(fact: str, value: Any, lang: str) -> str:
    """``upah terlapor Rp5.000.000``: the label followed by the value."""
    return f"{fact_label(fact, lang)} {show(fact, value, lang)}"


