app-name = پیوند
list-count = { $count } رکورد

## Web interface: frame and navigation
language-name = فارسی
skip-to-content = رفتن به محتوا
menu = منو
nav-label = ناوبری اصلی
nav-dashboard = پیشخوان
nav-settings = تنظیمات
logout = خروج
back-home = بازگشت به پیشخوان

## Sign-in
login-title = ورود
login-submit = ورود

## Dashboard
dashboard-greeting = { $name }، خوش آمدید
dashboard-empty = هنوز مشتری‌ای برای نمایش به شما وجود ندارد.
dashboard-start = ساختن نخستین مورد

## Lists
create = ایجاد
export-csv = خروجی CSV
search = جستجو
search-placeholder = نام، تلفن، ایمیل…
filter-all = همه
clear-filters = پاک کردن
list-empty = هنوز چیزی اینجا نیست.
list-no-match = هیچ رکوردی با جستجو و فیلترها جور نیست.
open = باز کردن
pages = صفحه‌ها
first-page = صفحهٔ اول
next-page = صفحهٔ بعد

## Forms
form-new-title = { $kind } جدید
form-edit-title = ویرایش { $kind }: { $title }
form-fix-errors = برخی فیلدها نیاز به اصلاح دارند؛ چیزی ذخیره نشد.
form-conflict = کس دیگری این رکورد را هم‌زمان با شما تغییر داده است. فرم اکنون نسخهٔ او را نشان می‌دهد؛ تغییرات خود را دوباره وارد و ذخیره کنید.
save = ذخیره
cancel = انصراف
date-hint = سال/ماه/روز در تقویم شما
tags-hint = برچسب‌ها را با ویرگول جدا کنید
password-hint = دست‌کم ۸ نویسه
yes = بله
no = خیر
empty-value = (خالی)

## Record page
edit = ویرایش
delete = حذف
remove = برداشتن
view-360 = نمای ۳۶۰ درجه
section-attitudes = نگرش‌ها
section-interactions = تعامل‌ها
section-transactions = تراکنش‌ها
section-attributes = ویژگی‌ها
preferences-empty = ترجیحی ثبت نشده است.
surveys = پاسخ‌های نظرسنجی
surveys-empty = نظرسنجی‌ها با ماژول خدمات مشتریان می‌آیند.
notes = یادداشت‌ها
notes-empty = هنوز یادداشتی نیست.
note-new = یادداشتی بنویسید…
note-add = افزودن یادداشت
calls-meetings = تماس‌ها، جلسه‌ها و پیام‌ها
calls-empty = تماس‌ها، جلسه‌ها و پیام‌ها با ماژول مدیریت فعالیت‌ها می‌آیند.
transactions-empty = پیش‌فاکتورها، سفارش‌ها و فاکتورها با ماژول مدیریت فروش می‌آیند.
relationships = ارتباط‌ها
relationships-empty = هنوز ارتباطی ثبت نشده است.
relationship-with = مرتبط با
relationship-add = افزودن ارتباط
timeline = تاریخچه
timeline-empty = هنوز تاریخچه‌ای نیست.
someone = یک کاربر
system = سامانه
timeline-create = ایجاد شد
timeline-update = تغییر کرد
timeline-delete = حذف شد
timeline-convert = تبدیل شد
timeline-note = یادداشت
timeline-note_deleted = یادداشت حذف شد
timeline-relate = ارتباط افزوده شد
timeline-unrelate = ارتباط برداشته شد
timeline-password = رمز عبور تغییر کرد
timeline-grants = دسترسی‌ها تغییر کرد

## Delete
delete-question = { $kind } «{ $title }» حذف شود؟
delete-warning = این کار برگشت‌پذیر نیست. تاریخچهٔ رکورد نگه داشته می‌شود.
delete-confirm = بله، حذف شود

## Lead conversion
convert = تبدیل
convert-title = تبدیل سرنخ: { $title }
convert-explain = از این سرنخ یک مخاطب ساخته می‌شود. برای حساب جدید نامی بدهید، یا یک حساب موجود را برگزینید (یا هیچ‌کدام).
convert-account-name = نام حساب جدید
convert-existing = یا یک حساب موجود

## Roles and access rights
grants = دسترسی‌ها
grants-edit = ویرایش دسترسی‌ها
grants-title = دسترسی‌های { $title }
kind = نوع رکورد
hidden-fields = فیلدهای پنهان
hidden-fields-explain = دارندگان این نقش فیلدهای علامت‌خورده را اصلاً نمی‌بینند.
action-read = خواندن
action-create = ایجاد
action-update = ویرایش
action-delete = حذف
action-export = خروجی
scope-none = هیچ
scope-own = مال خود
scope-team = تیم
scope-branch = شعبه
scope-subtree = شعبه و زیرمجموعه
scope-all = همه

## Settings
settings-preferences = زبان و تقویم
settings-password = رمز عبور
settings-password-submit = تغییر رمز عبور
settings-tokens = توکن‌های شخصی API
tokens-empty = هنوز توکنی نیست.
token-name = نام توکن
token-create = ساختن توکن
token-created = توکن را همین حالا کپی کنید: دوباره نمایش داده نمی‌شود.
token-last-used = آخرین استفاده
token-revoke = باطل کردن
token-revoked = باطل شده

## Record kinds
kind-accounts = حساب‌ها
kind-accounts-one = حساب
kind-contacts = مخاطبان
kind-contacts-one = مخاطب
kind-leads = سرنخ‌ها
kind-leads-one = سرنخ
kind-users = کاربران
kind-users-one = کاربر
kind-teams = تیم‌ها
kind-teams-one = تیم
kind-roles = نقش‌ها
kind-roles-one = نقش
kind-branches = شعبه‌ها
kind-branches-one = شعبه

## Fields
field-name = نام
field-customer_kind = نوع مشتری
field-lifecycle = چرخهٔ عمر
field-industry = صنعت
field-source = منبع
field-phone = تلفن
field-email = ایمیل
field-website = وب‌سایت
field-economic_code = کد اقتصادی
field-address = نشانی
field-province = استان
field-city = شهر
field-tags = برچسب‌ها
field-description = توضیحات
field-owner_id = مسئول
field-branch_id = شعبه
field-created_at = ایجاد
field-updated_at = به‌روزرسانی
field-first_name = نام
field-last_name = نام خانوادگی
field-account_id = حساب
field-job_title = سمت
field-mobile = تلفن همراه
field-gender = جنسیت
field-birth_date = تاریخ تولد
field-consent_email = رضایت به ایمیل
field-consent_sms = رضایت به پیامک
field-consent_phone = رضایت به تماس تلفنی
field-opted_out = انصراف از ارتباط
field-preferences = ترجیحات و نیازها
field-company = شرکت
field-status = وضعیت
field-converted_account_id = تبدیل‌شده به حساب
field-converted_contact_id = تبدیل‌شده به مخاطب
field-role_id = نقش
field-team_id = تیم
field-locale = زبان
field-calendar = تقویم
field-disabled = غیرفعال
field-builtin = پیش‌ساخته
field-code = کد
field-parent_id = شعبهٔ بالادست
field-password = رمز عبور
field-new_password = رمز عبور جدید
field-note = یادداشت
field-body = متن
field-relation_type = نوع ارتباط
field-relationship = ارتباط
field-to_id = رکورد مرتبط
field-to_kind = نوع رکورد مرتبط
field-grants = دسترسی‌ها
field-version = نسخه
field-sort = مرتب‌سازی
field-account_name = نام حساب
field-existing_account_id = حساب موجود

## Choices
choice-retail = خرده‌فروشی (B2C)
choice-wholesale = عمده‌فروشی (B2B)
choice-prospect = مشتری بالقوه
choice-first_time = مشتری بار اول
choice-regular = مشتری دائمی
choice-lost = ازدست‌رفته
choice-won_back = بازگشته
choice-website = وب‌سایت
choice-referral = معرفی
choice-campaign = کمپین
choice-phone = تلفن
choice-exhibition = نمایشگاه
choice-social = شبکه‌های اجتماعی
choice-walk_in = مراجعهٔ حضوری
choice-other = سایر
choice-new = جدید
choice-contacted = تماس گرفته شده
choice-qualified = واجد شرایط
choice-disqualified = فاقد شرایط
choice-converted = تبدیل‌شده
choice-family = خانوادگی
choice-business = تجاری
choice-female = زن
choice-male = مرد
choice-fa = فارسی
choice-en = English (انگلیسی)
choice-jalali = هجری شمسی
choice-gregorian = میلادی

## Field errors
field-error-required = این فیلد الزامی است.
field-error-invalid_email = نشانی ایمیل معتبر نیست.
field-error-invalid_phone = شمارهٔ تلفن معتبر نیست.
field-error-invalid_date = تاریخ معتبر نیست.
field-error-too_long = بیش از اندازه بلند است.
field-error-invalid_choice = از مقادیر مجاز نیست.
field-error-invalid_number = عدد معتبر نیست.
field-error-invalid = معتبر نیست.
field-error-unknown_field = فیلد ناشناخته.
field-error-not_found = رکورد انتخاب‌شده وجود ندارد یا در دسترس شما نیست.
field-error-out_of_scope = خارج از محدودهٔ مجاز شماست.
field-error-taken = قبلاً استفاده شده است.
field-error-too_short = بیش از اندازه کوتاه است.

## Errors
error-validation_failed = برخی فیلدها خالی یا نامعتبرند.
error-not_found = پیدا نشد.
error-forbidden = شما اجازهٔ این کار را ندارید.
error-version_conflict = کس دیگری در این فاصله این رکورد را تغییر داده است.
error-in_use = این رکورد هنوز در حال استفاده است و حذف نمی‌شود.
error-already_converted = این سرنخ پیش‌تر تبدیل شده است.
error-unauthenticated = لطفاً وارد شوید.
error-bad_credentials = ایمیل یا رمز عبور نادرست است.
error-too_many_attempts = تلاش‌های ناموفق ورود بیش از حد بوده است. ۱۵ دقیقهٔ دیگر دوباره تلاش کنید.
error-bad_request = درخواست نادرست است.
error-payload_too_large = درخواست بیش از اندازه بزرگ است.
error-unsupported_media_type = نوع محتوا پشتیبانی نمی‌شود.
error-csrf_failed = فرم منقضی شده یا از این سایت نیامده است. برگردید، صفحه را دوباره بارگذاری کنید و دوباره تلاش کنید.
error-internal = خطایی در سامانه رخ داد. لطفاً دوباره تلاش کنید.

# Built-in roles
role-admin = مدیر سامانه
role-branch_manager = مدیر شعبه
role-sales_manager = مدیر فروش
role-sales_rep = کارشناس فروش
role-marketing = بازاریابی
role-service_agent = کارشناس خدمات
role-viewer = ناظر

## فیلدهای سفارشی
rial = ریال
money-hint = به ریال، عدد صحیح.
custom-fields = فیلدهای سفارشی
custom-fields-intro = فیلدهای دلخواه شما روی حساب‌ها، مخاطبان و سرنخ‌ها. در فرم‌ها، صفحهٔ پرونده، فهرست‌ها، فیلترها، جست‌وجو، ورود و خروج داده و API دیده می‌شوند.
custom-fields-open = مدیریت فیلدهای سفارشی
custom-fields-empty = هنوز فیلد سفارشی‌ای تعریف نشده است.
custom-field-add = افزودن فیلد
custom-field-new-title = فیلد تازه برای { $kind }
custom-field-edit-title = فیلد «{ $label }»
custom-field-label = عنوان
custom-field-label_fa = عنوان فارسی
custom-field-label_en = عنوان انگلیسی
custom-field-name = نام در API
custom-field-name-hint = حروف کوچک لاتین، رقم و _؛ با پیشوند ⁦cf_⁩ ذخیره می‌شود. تغییر نام، داده‌ها را نگه می‌دارد.
custom-field-type = نوع
custom-field-type-fixed = نوع فیلد تغییر نمی‌کند؛ به جای آن فیلد تازه‌ای بسازید.
custom-field-choices = گزینه‌ها
custom-field-choices-hint = هر گزینه در یک سطر، برای فیلدهای انتخابی.
custom-field-reference = پیوند به
custom-field-reference-hint = برای فیلدهای پیوندی: کدام نوع پرونده.
custom-field-required = اجباری
custom-field-in_list = ستون فهرست‌ها
custom-field-created = فیلد افزوده شد.
custom-field-updated = فیلد ذخیره شد.
custom-field-deleted = فیلد حذف شد.
custom-field-delete-question = فیلد «{ $label }» از { $kind } حذف شود؟
custom-field-delete-warning = همهٔ مقدارهای ذخیره‌شده در این فیلد هم حذف می‌شوند. تعریف فیلد در سابقهٔ تغییرات می‌ماند. این کار برگشت‌پذیر نیست.
custom-type-text = متن
custom-type-long_text = متن بلند
custom-type-number = عدد
custom-type-money = مبلغ
custom-type-date = تاریخ
custom-type-bool = بله/خیر
custom-type-choice = تک‌انتخابی
custom-type-multi_choice = چندانتخابی
custom-type-phone = تلفن
custom-type-email = ایمیل
custom-type-reference = پیوند به پرونده

## ادغام تکراری‌ها
merge-title = ادغام { $kind }
merge-intro = پرونده‌ای را که می‌ماند برگزینید و هر جا مقدارها فرق دارند، مقدار ماندنی را انتخاب کنید. بقیه پس از انتقال یادداشت‌ها، ارتباط‌ها و سابقه‌شان به پروندهٔ ماندنی حذف می‌شوند.
merge-field = فیلد
merge-survivor = پروندهٔ ماندنی
merge-keep-this = این پرونده بماند
merge-keeps = همهٔ یادداشت‌ها، ارتباط‌ها، سابقهٔ تغییرات و پیوندهای پرونده‌های دیگر نگه داشته می‌شوند. ادغام در سابقه ثبت می‌شود.
merge-submit = ادغام
merge-action = ادغام

## تکراری‌های احتمالی
duplicates-link = تکراری‌ها
duplicates-title = { $kind } احتمالاً تکراری
duplicates-intro = پرونده‌هایی که نشانی ایمیل یا شمارهٔ تلفن یکسان یا نام تقریباً یکسانی دارند. فقط پرونده‌هایی که اجازهٔ دیدنشان را دارید، و فقط با فیلدهایی که می‌بینید، مقایسه می‌شوند.
duplicates-progress = { $percent }٪ از پرونده‌ها بررسی شد.
duplicates-none = تکراری احتمالی پیدا نشد.
duplicates-none-here = در این بخش از پرونده‌ها تکراری احتمالی نبود. برای بررسی بقیه ادامه دهید.
duplicates-because = یکسان:
duplicates-merge = ادغام
duplicates-merge-pair = ادغام { $first } و { $second }
duplicates-continue = ادامهٔ بررسی
duplicates-start-over = از نو
duplicates-steps = بخش‌های گزارش
duplicates-back-to-list = بازگشت به فهرست
duplicates-found = شاید این مشتری را از پیش داشته باشید
duplicates-found-intro = این پرونده‌ها به پرونده‌ای که ذخیره می‌کنید شبیه‌اند. یکی را باز کنید و بررسی کنید، یا پروندهٔ تازه را در هر حال ذخیره کنید.
duplicates-save-anyway = در هر حال ذخیره شود
duplicate-reason-email = ایمیل
duplicate-reason-phone = شمارهٔ تلفن
duplicate-reason-name = نام مشابه
duplicate-reason-separator = {"، "}
