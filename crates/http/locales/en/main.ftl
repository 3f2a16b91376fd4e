app-name = Peyvand
list-count = { $count } records

## Web interface: frame and navigation
language-name = English
skip-to-content = Skip to content
menu = Menu
nav-label = Main navigation
nav-dashboard = Dashboard
nav-settings = Settings
logout = Sign out
back-home = Back to the dashboard

## Sign-in
login-title = Sign in
login-submit = Sign in

## Dashboard
dashboard-greeting = Hello, { $name }
dashboard-empty = There are no customers you can see yet.
dashboard-start = Create the first one

## Lists
create = Create
export-csv = Export CSV
search = Search
search-placeholder = Name, phone, email…
filter-all = all
clear-filters = Clear
list-empty = Nothing here yet.
list-no-match = No records match the search and filters.
open = Open
pages = Pages
first-page = First page
next-page = Next page

## Forms
form-new-title = New { $kind }
form-edit-title = Edit { $kind }: { $title }
form-fix-errors = Some fields need attention; nothing was saved.
form-conflict = Someone else changed this record while you were editing. The form now shows their version; make your changes again and save.
save = Save
cancel = Cancel
date-hint = Year/month/day in your calendar
tags-hint = Separate tags with commas
password-hint = At least 8 characters
yes = Yes
no = No
empty-value = (empty)

## Record page
edit = Edit
delete = Delete
remove = Remove
view-360 = 360° view
section-attitudes = Attitudes
section-interactions = Interactions
section-transactions = Transactions
section-attributes = Attributes
preferences-empty = No preferences recorded.
surveys = Survey answers
surveys-empty = Surveys arrive with the service module.
notes = Notes
notes-empty = No notes yet.
note-new = Write a note…
note-add = Add note
calls-meetings = Calls, meetings and messages
calls-empty = Calls, meetings and messages arrive with the activities module.
transactions-empty = Quotes, orders and invoices arrive with the sales module.
relationships = Relationships
relationships-empty = No relationships yet.
relationship-with = Related to
relationship-add = Add relationship
timeline = Timeline
timeline-empty = No history yet.
someone = Someone
system = System
timeline-create = Created
timeline-update = Changed
timeline-delete = Deleted
timeline-convert = Converted
timeline-note = Note
timeline-note_deleted = Note deleted
timeline-relate = Relationship added
timeline-unrelate = Relationship removed
timeline-password = Password changed
timeline-grants = Access rights changed

## Delete
delete-question = Delete { $kind } “{ $title }”?
delete-warning = This cannot be undone. The history of the record is kept.
delete-confirm = Yes, delete

## Lead conversion
convert = Convert
convert-title = Convert lead: { $title }
convert-explain = A contact is created from the lead. Give a name for a new account, or choose an existing account (or neither).
convert-account-name = New account name
convert-existing = Or an existing account

## Roles and access rights
grants = Access rights
grants-edit = Edit access rights
grants-title = Access rights of { $title }
kind = Record kind
hidden-fields = Hidden fields
hidden-fields-explain = Holders of this role do not see the ticked fields at all.
action-read = Read
action-create = Create
action-update = Update
action-delete = Delete
action-export = Export
scope-none = None
scope-own = Own
scope-team = Team
scope-branch = Branch
scope-subtree = Branch and below
scope-all = All

## Settings
settings-preferences = Language and calendar
settings-password = Password
settings-password-submit = Change password
settings-tokens = Personal API tokens
tokens-empty = No tokens yet.
token-name = Token name
token-create = Create token
token-created = Copy the token now: it is not shown again.
token-last-used = Last used
token-revoke = Revoke
token-revoked = Revoked

## Record kinds
kind-accounts = Accounts
kind-accounts-one = account
kind-contacts = Contacts
kind-contacts-one = contact
kind-leads = Leads
kind-leads-one = lead
kind-users = Users
kind-users-one = user
kind-teams = Teams
kind-teams-one = team
kind-roles = Roles
kind-roles-one = role
kind-branches = Branches
kind-branches-one = branch

## Fields
field-name = Name
field-customer_kind = Customer type
field-lifecycle = Lifecycle
field-industry = Industry
field-source = Source
field-phone = Phone
field-email = Email
field-website = Website
field-economic_code = Economic code
field-address = Address
field-province = Province
field-city = City
field-tags = Tags
field-description = Description
field-owner_id = Owner
field-branch_id = Branch
field-created_at = Created
field-updated_at = Updated
field-first_name = First name
field-last_name = Last name
field-account_id = Account
field-job_title = Job title
field-mobile = Mobile
field-gender = Gender
field-birth_date = Birth date
field-consent_email = Agrees to email
field-consent_sms = Agrees to SMS
field-consent_phone = Agrees to calls
field-opted_out = Opted out
field-preferences = Preferences and needs
field-company = Company
field-status = Status
field-converted_account_id = Converted to account
field-converted_contact_id = Converted to contact
field-role_id = Role
field-team_id = Team
field-locale = Language
field-calendar = Calendar
field-disabled = Disabled
field-builtin = Built in
field-code = Code
field-parent_id = Parent branch
field-password = Password
field-new_password = New password
field-note = Note
field-body = Text
field-relation_type = Relationship
field-relationship = Relationship
field-to_id = Related record
field-to_kind = Related record kind
field-grants = Access rights
field-version = Version
field-sort = Sort
field-account_name = Account name
field-existing_account_id = Existing account

## Choices
choice-retail = Retail (B2C)
choice-wholesale = Wholesale (B2B)
choice-prospect = Prospect
choice-first_time = First-time customer
choice-regular = Regular customer
choice-lost = Lost
choice-won_back = Won back
choice-website = Website
choice-referral = Referral
choice-campaign = Campaign
choice-phone = Phone
choice-exhibition = Exhibition
choice-social = Social media
choice-walk_in = Walk-in
choice-other = Other
choice-new = New
choice-contacted = Contacted
choice-qualified = Qualified
choice-disqualified = Disqualified
choice-converted = Converted
choice-family = Family
choice-business = Business
choice-female = Female
choice-male = Male
choice-fa = فارسی (Persian)
choice-en = English
choice-jalali = Solar Hijri (Jalali)
choice-gregorian = Gregorian

## Field errors
field-error-required = Required.
field-error-invalid_email = Not a valid email address.
field-error-invalid_phone = Not a valid phone number.
field-error-invalid_date = Not a valid date.
field-error-too_long = Too long.
field-error-invalid_choice = Not one of the allowed values.
field-error-invalid_number = Not a valid number.
field-error-invalid = Not valid.
field-error-unknown_field = Unknown field.
field-error-not_found = The record chosen does not exist or is out of your reach.
field-error-out_of_scope = Outside what you may assign.
field-error-taken = Already in use.
field-error-too_short = Too short.

## Errors
error-validation_failed = Some fields are missing or invalid.
error-not_found = Not found.
error-forbidden = You do not have permission to do this.
error-version_conflict = Someone else changed this record in the meantime.
error-in_use = This record is still in use and cannot be removed.
error-already_converted = This lead was converted already.
error-unauthenticated = Please sign in.
error-bad_credentials = Wrong email or password.
error-too_many_attempts = Too many failed sign-ins. Try again in 15 minutes.
error-bad_request = The request was malformed.
error-payload_too_large = The request is too large.
error-unsupported_media_type = Unsupported content type.
error-csrf_failed = The form expired or did not come from this site. Go back, reload the page and try again.
error-internal = Something went wrong on our side. Please try again.

# Built-in roles
role-admin = Administrator
role-branch_manager = Branch manager
role-sales_manager = Sales manager
role-sales_rep = Sales representative
role-marketing = Marketing
role-service_agent = Service agent
role-viewer = Viewer

## Custom fields
rial = rials
money-hint = In rials, whole numbers.
custom-fields = Custom fields
custom-fields-intro = Fields of your own on accounts, contacts and leads. They appear in forms, record pages, lists, filters, search, import, export and the API.
custom-fields-open = Manage custom fields
custom-fields-empty = No custom fields yet.
custom-field-add = Add a field
custom-field-new-title = New field on { $kind }
custom-field-edit-title = Field “{ $label }”
custom-field-label = Label
custom-field-label_fa = Persian label
custom-field-label_en = English label
custom-field-name = Name in the API
custom-field-name-hint = Lowercase letters a–z, digits and _; stored as cf_<name>. Renaming keeps the values.
custom-field-type = Type
custom-field-type-fixed = The type of a field cannot change; add a new field instead.
custom-field-choices = Choices
custom-field-choices-hint = One per line, for choice fields.
custom-field-reference = Links to
custom-field-reference-hint = For link fields: which kind of record.
custom-field-required = Required
custom-field-in_list = Column in lists
custom-field-created = The field was added.
custom-field-updated = The field was saved.
custom-field-deleted = The field was deleted.
custom-field-delete-question = Delete the field “{ $label }” of { $kind }?
custom-field-delete-warning = Every value stored in this field is deleted with it. The definition stays in the audit trail. This cannot be undone.
custom-type-text = Text
custom-type-long_text = Long text
custom-type-number = Number
custom-type-money = Money
custom-type-date = Date
custom-type-bool = Yes/no
custom-type-choice = Single choice
custom-type-multi_choice = Multiple choice
custom-type-phone = Phone
custom-type-email = Email
custom-type-reference = Link to a record

## Merging duplicates
merge-title = Merge { $kind }
merge-intro = Choose the record that stays and, where the records differ, which value to keep. The others are deleted after their notes, relationships and history move to the one that stays.
merge-field = Field
merge-survivor = Record that stays
merge-keep-this = Keep this record
merge-keeps = Every note, relationship, history entry and link from other records is kept. The merge is recorded in the history.
merge-submit = Merge
merge-action = Merge

## Possible duplicates
duplicates-link = Duplicates
duplicates-title = Possible duplicates among { $kind }
duplicates-intro = Records that share an email address or a phone number, or whose names are nearly the same. Only records you may see are compared, on the fields you may see.
duplicates-progress = { $percent }% of the records checked.
duplicates-none = No possible duplicates were found.
duplicates-none-here = No possible duplicates in this part of the records. Continue to check the rest.
duplicates-because = Same:
duplicates-merge = Merge
duplicates-merge-pair = Merge { $first } and { $second }
duplicates-continue = Continue checking
duplicates-start-over = Start over
duplicates-steps = Parts of the report
duplicates-back-to-list = Back to the list
duplicates-found = This may be a customer you already have
duplicates-found-intro = These records look like the one you are saving. Open one to check it, or save the new record anyway.
duplicates-save-anyway = Save anyway
duplicate-reason-email = email
duplicate-reason-phone = phone number
duplicate-reason-name = similar name
duplicate-reason-separator = {", "}
